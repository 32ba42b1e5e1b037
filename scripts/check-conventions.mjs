// Fails when the layout breaks one of the conventions CONTRIBUTING.md states ("Layout and conventions", "Where tests
// go"), so that each stays one rule instead of a habit:
//
// - every concern folder of src/ has a barrel, index.ts (cli/ excepted: it is the `ecpay` bin, not a library part);
// - src/index.ts re-exports only barrels (`./<folder>/index.js`) and the root files beside it, so what a concern makes
//   public is decided in its own barrel and an internal file cannot reach the API by one extra line here;
// - a unit spec (`*.spec.ts`) sits beside its file in src/ or, for suites over the whole library, directly in test/;
//   a test/ subfolder holds only `*.e2e-spec.ts`, and src/ holds none.
//
// `node scripts/check-conventions.mjs [root]` checks the repository it lives in, or `root` (how its own test and a
// quick manual check point it at a copy with a violation).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const src = join(root, 'src');
const test = join(root, 'test');
/** Folders of src/ that are an entry of their own rather than a concern of the library. */
const WITHOUT_BARREL = new Set(['cli']);
/** Installed copies of the package (test/consumers) and data are not the suite's own files. */
const NOT_SCANNED = new Set(['node_modules', 'dist']);

const problems = [];
const rel = (path) => relative(root, path);

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return NOT_SCANNED.has(name) ? [] : files(path);
    return [path];
  });
}

// 1. A barrel per concern.
const concerns = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
for (const folder of concerns) {
  if (!WITHOUT_BARREL.has(folder) && !existsSync(join(src, folder, 'index.ts')))
    problems.push(`src/${folder}/ has no index.ts: give the concern a barrel that exports its public surface`);
}

// 2. src/index.ts is built from barrels and root files only.
const entry = join(src, 'index.ts');
for (const { fileName } of ts.preProcessFile(readFileSync(entry, 'utf8'), true, true).importedFiles) {
  const target = resolve(src, fileName.replace(/\.js$/, '.ts'));
  const isBarrel = relative(src, target).split('/').length === 2 && target.endsWith('/index.ts');
  const isRootFile = dirname(target) === src && target !== entry;
  if (!existsSync(target)) problems.push(`src/index.ts exports from '${fileName}', which does not exist`);
  else if (!fileName.startsWith('./') || !(isBarrel || isRootFile))
    problems.push(
      `src/index.ts exports from '${fileName}': re-export a concern's barrel (./<folder>/index.js) instead`,
    );
}

// 3. Specs placed by one rule.
for (const file of files(test)) {
  const nested = dirname(file) !== test;
  if (nested && file.endsWith('.spec.ts') && !file.endsWith('.e2e-spec.ts'))
    problems.push(
      `${rel(file)} is a unit spec in a test/ subfolder: move it beside the file it tests (src/**/x.spec.ts), or ` +
        'name it .e2e-spec.ts if it goes through Nest, HTTP, a database or a child process',
    );
}
for (const file of files(src)) {
  if (file.endsWith('.e2e-spec.ts'))
    problems.push(`${rel(file)} is an e2e spec in src/: it belongs in test/, grouped by concern`);
}

if (problems.length === 0) {
  console.log(`conventions: ${concerns.length - WITHOUT_BARREL.size} barrels, src/index.ts from barrels, specs placed`);
} else {
  for (const problem of problems) console.error(`convention: ${problem}`);
  process.exitCode = 1;
}
