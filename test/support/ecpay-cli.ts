import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built `ecpay` bin: the CLI is tested as users run it (`npm test` builds first). */
export const ECPAY_BIN = resolve(process.cwd(), 'dist/cli/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bin in a child process with only PATH and `env` set, so nothing from the developer's shell leaks in.
 * With `stdin`, that text is piped in and closed; without it, stdin is not connected at all.
 */
export function runEcpayCli(
  args: readonly string[],
  { stdin, env = {} }: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  if (!existsSync(ECPAY_BIN)) {
    throw new Error(`${ECPAY_BIN} is missing: run "npm run build" (npm test does) before the CLI tests.`);
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ECPAY_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}
