/**
 * `nonadj extract` loads only what it needs (issue 15: start-up of a one-exam extraction): the CLI entry imports no
 * command statically, and the static import graph of `main.ts` + `extract.ts` holds no TensorFlow.js and no other
 * command. Read from the sources (a static walk of `import … from`), so it holds without running anything.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/runCliSnapshot.js';

/** Every module reachable by static imports (type-only imports excluded) from `entries`: relative files and packages. */
function staticGraph(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith('/')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      stack.push(spec.startsWith('.') ? path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts') : spec);
    }
  }
  return seen;
}

test('extract: no TensorFlow.js and no other command in its static import graph', () => {
  const cli = path.join(ROOT, 'src', 'cli');
  const graph = [...staticGraph([path.join(cli, 'main.ts'), path.join(cli, 'extract.ts')])];
  assert.deepEqual(graph.filter((m) => m.includes('@tensorflow') || m.includes('onnxruntime')), []);
  const commands = ['check', 'demo', 'evaluate', 'merge', 'pasteIslands', 'repair', 'segment', 'train', 'view'].map((c) => path.join(cli, `${c}.ts`));
  assert.deepEqual(graph.filter((m) => commands.includes(m)), []);
  // The graph is not trivially empty: the counting code is in it.
  assert.ok(graph.includes(path.join(ROOT, 'src', 'prior', 'countPresentAdjacency.ts')));
});
