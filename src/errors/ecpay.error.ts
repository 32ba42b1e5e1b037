/**
 * Base class of every error this library throws on purpose, so an app can tell ours from the rest with one
 * `instanceof`. Messages never contain HashKey, HashIV, card data or decrypted plaintext.
 *
 * @publicApi
 */
export abstract class EcpayError extends Error {
  /** A stable, machine-readable code (the message wording may change). */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
