#!/usr/bin/env node
// Thin launcher: the CLI is dist/cli/main.js, started from its bundle dist/cli/run.js (main.js with extract's modules in
// one file, see scripts/bundleCli.mjs), both built by `npm run build`, which `npm ci` runs via `prepare`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/run.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('nonadj: the package is not built; run `npm run build` first\n');
  process.exit(2);
}
// `nonadj check … | head` closes the pipe early: stop quietly, as Unix tools do, instead of an EPIPE stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
