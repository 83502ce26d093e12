// Bundles the CLI's start (dist/cli/main.js) with the `extract` command's modules into dist/cli/run.js, the file
// bin/nonadj.js starts (`npm run build`, after tsc). Why: `nonadj extract` on one exam loaded ~45 modules of dist/
// one by one, which cost it more CPU than inflating the exam (issue 15 item 4). The other commands stay where tsc
// wrote them, imported lazily by run.js as by main.js, with commander and every other package from node_modules:
// run.js and a command it imports then share one commander (main.js tells commander's errors by their class).
// Modules bundled here must not resolve files from import.meta.url other than what is true from dist/cli/ and from
// their own folder (see countExams: '../prior/adjacencyWorker').
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'dist', 'cli', 'main.js');

/**
 * What the code imports with `await import()` stays a separate file, loaded when needed as before (the other
 * commands; the worker pool, which only a run over several exams starts), except main.js's import of extract.js:
 * the path is rewritten relative to dist/cli/, where run.js is.
 */
const dynamicImportsExternal = {
  name: 'dynamic-imports-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import' || (args.importer === main && args.path === './extract.js')) return undefined;
      const relative = path.relative(path.dirname(main), path.resolve(args.resolveDir, args.path)).split(path.sep).join('/');
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
};

await build({
  entryPoints: [main],
  outfile: path.join(root, 'dist', 'cli', 'run.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  plugins: [dynamicImportsExternal],
  legalComments: 'none',
  logLevel: 'warning',
});
