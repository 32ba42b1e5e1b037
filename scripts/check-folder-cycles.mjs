// Fails when the folders of src/ import each other in a cycle (a folder is a concern; dependencies point one way).
//
// File-level cycle finders (madge, dependency-cruiser's no-circular) miss the case that matters for layering: files
// a/x → b/y and b/z → a/w make a folder cycle without any file cycle. TypeScript's own pre-processor lists each
// file's imports (type-only imports included: a type dependency is a dependency of the design too).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const src = resolve(new URL('..', import.meta.url).pathname, 'src');
const folderOf = (file) => {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.split('/')[0] : '.';
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

const edges = new Map(); // folder → Map(folder → example "file → import")
for (const file of files(src)) {
  const from = folderOf(file);
  for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const to = folderOf(resolve(dirname(file), fileName));
    if (to === from || to === '.' || from === '.') continue; // the root files compose everything
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${relative(src, file)} → ${fileName}`);
  }
}

// Strongly connected components (Tarjan): any with more than one folder is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(node) {
  state.set(node, { index, low: index, onStack: true });
  index++;
  stack.push(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (!state.has(next)) {
      visit(next);
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
    } else if (state.get(next).onStack) state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const node of edges.keys()) if (!state.has(node)) visit(node);

if (cycles.length === 0) {
  console.log(
    `folder cycles: none among ${new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]).size} folders of src/`,
  );
} else {
  for (const cycle of cycles) {
    console.error(`folder cycle: ${cycle.join(', ')}`);
    for (const from of cycle)
      for (const [to, example] of edges.get(from) ?? [])
        if (cycle.includes(to)) console.error(`  ${from} → ${to}  (${example})`);
  }
  process.exitCode = 1;
}
