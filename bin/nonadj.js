#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`, run by `npm ci`'s prepare step).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('nonadj: the package is not built; run `npm run build` first\n');
    process.exit(2);
  }
  throw error;
});
