/**
 * `nonadj extract` on one AAL exam at 1 mm as a whole process, against `node -e 0` run alternately in the same
 * benchmark (issue 15 item 4: goal ≤ 150 ms wall on an idle machine). Run `npm run build` first: it times the built
 * CLI as users run it. Wall time depends on the machine's load; CPU time (user + system, from inside the process)
 * much less, so both are printed, each as a median and as the median of the per-pair ratios.
 *
 * With NODE_EXTRA_CA_CERTS set, Node reads and parses those certificates at every start, before any JavaScript
 * (~40 ms of CPU for a system bundle on the 2-core EPYC of docs/bench): both commands are then also timed without
 * it, the start-up most users have.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { machineLine, median, SMOKE } from './machine.js';
import { processRun, type ProcessRun } from './processRun.js';

const runs = SMOKE ? 2 : 15;
const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-startup-'));
const extract = ['bin/nonadj.js', 'extract', path.join(dir, 'prior'), '117', '-q', '--files', 'data/aal.nii.gz'];
const bare = ['-e', '0'];
const certs = process.env.NODE_EXTRA_CA_CERTS;
const envs: Array<{ what: string; env?: NodeJS.ProcessEnv }> = [{ what: certs ? `NODE_EXTRA_CA_CERTS=${certs}` : 'this environment' }];
if (certs) {
  const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
  envs.push({ what: 'NODE_EXTRA_CA_CERTS unset', env: without });
}
console.log(`Machine: ${machineLine()}; load average ${os.loadavg()[0].toFixed(1)}; medians of ${runs} alternating runs\n`);
for (const { what, env } of envs) {
  processRun(extract, env);
  processRun(bare, env);
  const a: ProcessRun[] = [];
  const b: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(processRun(extract, env));
    b.push(processRun(bare, env));
  }
  const row = (label: string, key: 'wallMs' | 'cpuMs') => {
    const ratios = a.map((r, i) => r[key] / b[i][key]);
    return `| ${label} | ${median(a.map((r) => r[key])).toFixed(0)} | ${median(b.map((r) => r[key])).toFixed(0)} | ${median(ratios).toFixed(2)}× | ${median(a.map((r, i) => r[key] - b[i][key])).toFixed(0)} |`;
  };
  console.log(`${what}:\n`);
  console.log('| nonadj extract, one AAL exam (1 mm, 117 labels) | ms | node -e 0, ms | ratio | extract − node, ms |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('wall time', 'wallMs'));
  console.log(row('CPU time (user + system)', 'cpuMs'));
  console.log(`\nPeak memory: extract ${median(a.map((r) => r.peakMb)).toFixed(0)} MB, node -e 0 ${median(b.map((r) => r.peakMb)).toFixed(0)} MB. Goal: ≤ 150 ms wall for the whole extract.\n`);
}
await rm(dir, { recursive: true, force: true });
