import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The README quotes its examples from docs/examples/src, which `npm run typecheck` compiles and the consumer apps
 * run: a quoted block must be the file, so what a user copies is what was compiled.
 */
const root = process.cwd();
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const quoted = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map((match) => ({
  path: match[1]!,
  block: match[2]!,
}));

describe('README examples', () => {
  it('quotes the example files', () => {
    expect(quoted.map((quote) => quote.path)).toEqual(
      expect.arrayContaining(['docs/examples/src/app.module.ts', 'docs/examples/src/orders/orders.service.ts']),
    );
  });

  it.each(quoted)('$path is quoted as it is', ({ path, block }) => {
    expect(block).toBe(readFileSync(resolve(root, path), 'utf8').replace(/\n+$/, ''));
  });
});
