/**
 * The package as a user gets it: `npm pack`, install the tarball into an empty folder (dependencies from the npm
 * registry), and run the installed CLI there, away from this repository: `extract` on a bundled label map, `view
 * --static` (the viewer bundle), and `demo --quick`, which must fine-tune the shipped baseline (`demo/baseline/`),
 * not silently train a short one because `package.json` `files` left it out. Several minutes (an install and real
 * training runs); run by `.ci/run` after `npm test`, or alone with `npm run test:pack`.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { DemoReport } from '../../src/demo/runDemo.js';
import { ROOT } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-pack-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The environment without what `npm run` adds (`npm_config_*`, `npm_package_*`, …), so the npm started here sees
 * the temporary folder as its project and not this repository.
 */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${(r.stderr ?? '').slice(-3000)}`);
  return r;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

test('the packed package installs and its CLI runs the demo from the shipped baseline', { timeout: 1_800_000 }, (t) => {
  // 1. Pack (npm runs `prepare`, the build) and check the tarball holds what the installed CLI reads.
  let started = performance.now();
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT).stdout) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  const { filename, size, unpackedSize, files } = packed[0];
  t.diagnostic(`npm pack: ${filename}, ${(size / 1e6).toFixed(1)} MB (${(unpackedSize / 1e6).toFixed(1)} MB unpacked, ${files.length} files), ${seconds(started)}`);
  const shipped = new Set(files.map((f) => f.path));
  for (const f of [
    'bin/nonadj.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'dist/cli/run.js',
    'dist/prior/adjacencyWorker.js',
    'dist/qc/checkCaseWorker.js',
    'schemas/graph.schema.json',
    'schemas/check.schema.json',
    'viewer-dist/viewer.js',
    'viewer-dist/viewer.css',
    'data/ch2.nii.gz',
    'data/aal.nii.gz',
    'data/aal.nii.txt',
    'data/inia19-t1-brain.nii.gz',
    'data/inia19-NeuroMaps.nii.gz',
    'data/README.md',
    'demo/README.md',
    'demo/baseline/manifest.json',
    'demo/baseline/model.json',
    'demo/baseline/weights.bin',
    'demo/baseline/graph.json',
    'demo/baseline-inia19/manifest.json',
    'demo/baseline-inia19/model.json',
    'demo/baseline-inia19/weights.bin',
    'demo/baseline-inia19/graph.json',
    'README.md',
  ]) {
    assert.ok(shipped.has(f), `the tarball lacks ${f}`);
  }
  for (const f of shipped) assert.doesNotMatch(f, /\.test\.|^src\/|^test\/|^bench\/|node_modules/, `the tarball should not ship ${f}`);

  // 2. Install it into an empty project, as a user would.
  const user = path.join(tmp, 'user');
  run('mkdir', ['-p', user], tmp);
  writeFileSync(path.join(user, 'package.json'), JSON.stringify({ name: 'nonadj-pack-check', private: true }) + '\n');
  started = performance.now();
  run('npm', ['install', '--no-audit', '--no-fund', path.join(tmp, filename)], user);
  t.diagnostic(`npm install: ${seconds(started)}`);
  const installed = path.join(user, 'node_modules', 'nonadj');
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  // `npx --no` never fetches a package from the registry: it must be the installed one.
  const nonadj = (...args: string[]) => run('npx', ['--no', '--', 'nonadj', ...args], user);
  assert.equal(nonadj('--version').stdout.trim(), version);

  // 3. extract on a bundled label map: the same prior, byte for byte, as this repository's own CLI makes.
  const aal = path.join(installed, 'data', 'aal.nii.gz');
  const extract = nonadj('extract', 'prior', '117', '--files', aal, '--quiet');
  assert.match(extract.stdout, /^labels: {3}117 \(connectivity 26, radius 1\)$/m);
  run(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), 'extract', path.join(tmp, 'repo-prior'), '117', '--files', path.join(ROOT, 'data', 'aal.nii.gz'), '--quiet'], ROOT);
  assert.equal(readFileSync(path.join(user, 'prior', 'graph.png.csv'), 'utf8'), readFileSync(path.join(tmp, 'repo-prior', 'graph.png.csv'), 'utf8'));

  // 4. view --static: the page needs the viewer bundle the package ships.
  const view = nonadj('view', path.join(installed, 'data', 'ch2.nii.gz'), '--seg', aal, '--prior', 'prior/graph.json', '--static', 'view.html');
  assert.match(view.stdout, /^written: {2}view\.html/m);
  assert.match(readFileSync(path.join(user, 'view.html'), 'utf8'), /<script>/);

  // 5. demo --quick from the user's folder: the report says the baseline is the shipped one, and it is, bit for bit.
  started = performance.now();
  const demo = nonadj('demo', '--quick', '--out', 'q');
  t.diagnostic(`nonadj demo --quick: ${seconds(started)}`);
  const report = JSON.parse(readFileSync(path.join(user, 'q', 'report.json'), 'utf8')) as DemoReport;
  assert.equal(report.baseline.source, 'shipped', `the demo trained its own baseline: ${report.baseline.note}`);
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'baseline', 'manifest.json'), 'utf8')) as { note: string };
  assert.ok(report.baseline.note.startsWith(manifest.note), report.baseline.note);
  assert.ok(readFileSync(path.resolve(user, report.baseline.dir, 'weights.bin')).equals(readFileSync(path.join(ROOT, 'demo', 'baseline', 'weights.bin'))), 'the demo\'s baseline weights are the shipped ones');
  assert.match(demo.stderr, /demo: baseline \S+ \(ModSegNet/);
  const arms = ['baseline', 'control', 'lambda-0.1x', 'lambda-0.3x', 'lambda-1x', 'lambda-3x', 'lambda-10x', 'auto', 'semi', 'semi-control'];
  assert.deepEqual(report.runs.map((r) => r.name), arms.flatMap((n) => [n, `${n}+lcc`, `${n}+repair`]));
  for (const f of ['report.md', 'report.html']) assert.ok(existsSync(path.join(user, 'q', f)), f);
});
