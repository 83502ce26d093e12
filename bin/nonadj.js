#!/usr/bin/env node
// Thin launcher: the CLI is dist/cli/main.js, started from its bundle dist/cli/run.js (main.js with extract's modules in
// one file, see scripts/bundleCli.mjs), both built by `npm run build`, which `npm ci` runs via `prepare`.
import { existsSync, statSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('nonadj: the package is not built; run `npm run build` first\n');
  process.exit(2);
}
// A bundle older than main.js (tsc run alone after `npm run build`) holds code older than dist/: main.js runs then.
const bundle = new URL('../dist/cli/run.js', import.meta.url);
const main = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(built).mtimeMs ? bundle : built;
// `nonadj check … | head` closes the pipe early: stop quietly, as Unix tools do, instead of an EPIPE stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
