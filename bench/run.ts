/**
 * Runs every `bench/*.bench.ts` in its own process (so one benchmark's memory and threads don't disturb the next)
 * and passes `--smoke` through. `npm run bench` for the real figures, `npm run bench:smoke` for the CI-sized check.
 * A name filter may follow: `npm run bench -- prior`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const filters = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

console.log(`# nonadj benchmarks${smoke ? ' (smoke)' : ''}\n\nMachine: ${machineLine()}\n`);
let failed = 0;
for (const file of files) {
  console.log(`## ${file.replace('.bench.ts', '')}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file), ...(smoke ? ['--smoke'] : [])], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.log(`\n**${file} failed (exit ${run.status ?? run.signal})**\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
