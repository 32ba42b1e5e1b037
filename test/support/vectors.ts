import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * ECPay's test vectors are kept in this repository, byte for byte as published or produced, in
 * test/fixtures/ecpay-vectors (where each set comes from: the README there). ECPAY_VECTORS_DIR overrides the location.
 */
export const VECTORS_DIR = process.env.ECPAY_VECTORS_DIR ?? resolve(import.meta.dirname, '../fixtures/ecpay-vectors');

export function loadVectorFile<T>(name: string): T {
  const path = resolve(VECTORS_DIR, name);
  if (!existsSync(path)) {
    throw new Error(
      `ECPay test vectors not found at ${path}. They live in test/fixtures/ecpay-vectors of this repository; ` +
        'unset ECPAY_VECTORS_DIR or point it at a folder holding the same files.',
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export interface ExtendedCheckMacVector {
  name: string;
  kind: 'checkmac-sha256' | 'checkmac-md5';
  hashKey: string;
  hashIV: string;
  input: Record<string, string | number>;
  expected: string;
  encodedBeforeHash: string;
}

export interface ExtendedAesVector {
  name: string;
  kind: 'aes';
  direction: string;
  hashKey: string;
  hashIV: string;
  input: { json?: string; urlEncodedPlaintext?: string; object?: unknown; phpJsonEncode?: string };
  expected: string;
  alternatives?: Record<string, string>;
  decryptChecks?: Record<string, string>;
}

export type ExtendedVector = ExtendedCheckMacVector | ExtendedAesVector;

export interface OfficialCheckMacVector {
  name: string;
  method: 'SHA256' | 'MD5';
  hashKey: string;
  hashIV: string;
  params?: Record<string, string>;
  formula?: 'ecticket';
  plaintext_json?: string;
  expected: string;
  wrong_with_percent20?: string;
}

export interface OfficialAesVector {
  name: string;
  mode?: 'gcm';
  direction?: 'decrypt';
  hashKey: string;
  hashIV?: string;
  iv_hex?: string;
  plaintext_json?: string;
  input_json?: string;
  input_json_natural?: string;
  input_json_alphabetic?: string;
  expected_url_encoded?: string;
  expected_base64?: string;
  expected_tag_hex?: string;
  encrypted_base64?: string;
  expected_decrypted?: string;
  expected_json?: string;
}

export interface UrlEncodeVector {
  input: string;
  ecpayUrlEncode: string;
  aesUrlEncode: string;
}

export const extendedVectors = (): ExtendedVector[] =>
  loadVectorFile<{ vectors: ExtendedVector[] }>('extended-vectors.json').vectors;
export const officialCheckMacVectors = (): OfficialCheckMacVector[] =>
  loadVectorFile<{ vectors: OfficialCheckMacVector[] }>('official-checkmacvalue.json').vectors;
export const officialAesVectors = (): OfficialAesVector[] =>
  loadVectorFile<{ vectors: OfficialAesVector[] }>('official-aes-encryption.json').vectors;
export const urlEncodeVectors = (): UrlEncodeVector[] =>
  loadVectorFile<{ vectors: UrlEncodeVector[] }>('official-url-encode-comparison.json').vectors;

/** The keys of a vector in this library's shape. */
export const keysOf = (vector: { hashKey: string; hashIV?: string }) => ({
  hashKey: vector.hashKey,
  hashIv: vector.hashIV ?? '',
});
