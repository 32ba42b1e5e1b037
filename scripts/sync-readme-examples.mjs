// Rewrites the README's quoted examples from docs/examples/src (after editing or formatting an example).
// test/readme-examples.spec.ts fails when a quote and its file differ.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${root}README.md`, 'utf8');
const synced = readme.replace(
  /(<!-- example: (\S+) -->\n```ts\n)[\s\S]*?\n```/g,
  (_match, head, path) => `${head}${readFileSync(`${root}${path}`, 'utf8').replace(/\n+$/, '')}\n\`\`\``,
);
writeFileSync(`${root}README.md`, synced);
