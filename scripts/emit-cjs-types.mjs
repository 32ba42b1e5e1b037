// Copies the declaration files into dist/cjs-types/, marked CommonJS by a package.json of their own.
//
// The package is ESM; Node >= 20.19 loads it from CommonJS apps through require(esm). TypeScript in a CommonJS file
// under `node16`/`nodenext` resolution reads the `require` condition's types and would refuse ESM declarations
// (TS1479) on compilers that predate require(esm) support; the same declarations under a CommonJS package scope
// describe exactly what require() returns: the module's named exports.
import { cpSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const target = join(dist, 'cjs-types');
rmSync(target, { recursive: true, force: true });

function copyDeclarations(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === target) continue;
    if (statSync(path).isDirectory()) copyDeclarations(path);
    else if (name.endsWith('.d.ts')) cpSync(path, join(target, relative(dist, path)));
  }
}

copyDeclarations(dist);
writeFileSync(join(target, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
