/** The streams and environment a CLI run uses, injectable so tests can run the CLI in-process too. */
export interface CliIo {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when a long-running command (`sandbox`) should stop; default: SIGINT or SIGTERM. */
  untilStopped?(): Promise<void>;
}

/** Exit codes: 0 success, 1 a negative answer or a failed operation, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Thrown for bad usage: the message goes to stderr with the usage text and the exit code is 2. */
export class CliUsageError extends Error {}
