/**
 * `nonadj extract` loads only what it needs (issue 15: start-up of a one-exam extraction): the CLI entry imports no
 * command statically, and the static import graph of `main.ts` + `extract.ts` holds no TensorFlow.js and no other
 * command. Read from the sources (a static walk of `import … from`), so it holds without running anything; and the
 * bundle bin/nonadj.js starts (dist/cli/run.js, `npm run build`) keeps every other command and the worker pool apart.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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

test('the CLI bundle (dist/cli/run.js, built): packages and builtins imported, every lazy import a file that exists', () => {
  const bundle = path.join(ROOT, 'dist', 'cli', 'run.js');
  const text = readFileSync(bundle, 'utf8');
  // Static imports: Node's own modules and commander, shared with the commands that stay separate files.
  const statics = new Set([...text.matchAll(/^import\s[^'"]*?from\s+"([^"]+)"/gm)].map((m) => m[1]));
  assert.deepEqual([...statics].filter((s) => !s.startsWith('node:') && s !== 'commander'), []);
  // Lazy imports: the other commands and the worker pool, resolved from dist/cli/ as the bundle is.
  const lazy = [...text.matchAll(/\bimport\("(\.[^"]+)"\)/g)].map((m) => m[1]);
  for (const spec of ['./train.js', './check.js', '../io/makeWorkerFactory.js']) assert.ok(lazy.includes(spec), `run.js should import ${spec} lazily`);
  for (const spec of lazy) assert.ok(existsSync(path.resolve(path.dirname(bundle), spec)), `run.js imports ${spec}, which is not in dist/`);
  assert.ok(!lazy.includes('./extract.js'), 'extract is in the bundle');
  // The worker countExams starts, from the bundle's folder.
  assert.match(text, /"\.\.\/prior\/adjacencyWorker"/);
  assert.ok(existsSync(path.join(ROOT, 'dist', 'prior', 'adjacencyWorker.js')));
});
