/**
 * `nonadj extract --shard i/n` and `nonadj merge` run as a user runs them (the built binary), on a dataset of three
 * real atlases (AAL, Harvard-Oxford, JHU: different grids and label sets). `npm test` builds first; alone:
 * `npm run build && node --import tsx --test test/cli/merge.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT, runCli } from '../helpers/runCliSnapshot.js';

const ATLASES = ['aal.nii.gz', 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz', 'JHU-WhiteMatter-labels-1mm.nii.gz'];
let tmp: string;
let data: string;

describe('nonadj extract --shard and nonadj merge', () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'nonadj-merge-'));
    data = path.join(tmp, 'data');
    for (const [i, atlas] of ATLASES.entries()) {
      await mkdir(path.join(data, `sub-${i + 1}`), { recursive: true });
      await symlink(path.join(ROOT, 'data', atlas), path.join(data, `sub-${i + 1}`, 'prepro_seg_mni.nii.gz'));
    }
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  const OPTIONS: string[][] = [[], ['--contiguous', '--min-exams', '2', '--names', 'data/aal.nii.txt'], ['--connectivity', '6', '--radius', '2', '180']];
  for (const [o, options] of OPTIONS.entries()) {
    test(`the merge of 4 shards (one empty) is one run, byte for byte: ${options.join(' ') || 'defaults'}`, async () => {
      const one = path.join(tmp, `one${o}`);
      const single = runCli(['extract', data, one, '-q', ...options]);
      assert.equal(single.exitCode, 0, single.stderr);
      const nb = options.at(-1) === '180' ? ['180'] : [];
      const flags = options.filter((x) => x !== '180');
      const parts: string[] = [];
      for (const i of [3, 1, 0, 2]) {
        const part = path.join(tmp, `o${o}-shard-${i}.json`);
        const run = runCli(['extract', data, part, ...nb, '--shard', `${i}/4`, '-q', ...flags]);
        assert.equal(run.exitCode, 0, run.stderr);
        parts.push(part);
      }
      const merged = path.join(tmp, `merged${o}`);
      const merge = runCli(['merge', ...parts, '--out', merged]);
      assert.equal(merge.exitCode, 0, merge.stderr);
      assert.match(merge.stdout, /merged: {3}4 partial-counts file\(s\), 3 exams/);
      assert.deepEqual((await readdir(merged)).sort(), ['graph.json', 'graph.png', 'graph.png.csv']);
      for (const file of ['graph.json', 'graph.png', 'graph.png.csv']) {
        assert.ok((await readFile(path.join(merged, file))).equals(await readFile(path.join(one, file))), `${file} differs`);
      }
      // --out x.json: graph.json alone, the same bytes.
      const json = path.join(tmp, `merged${o}.json`);
      assert.equal(runCli(['merge', ...parts, '--out', json]).exitCode, 0);
      assert.ok((await readFile(json)).equals(await readFile(path.join(one, 'graph.json'))));
      // Both outputs pass the published schemas.
      const ajv = new Ajv2020({ strict: true });
      const graphOk = ajv.compile(JSON.parse(await readFile(path.join(ROOT, 'schemas/graph.schema.json'), 'utf8')));
      const partOk = ajv.compile(JSON.parse(await readFile(path.join(ROOT, 'schemas/partial-counts.schema.json'), 'utf8')));
      assert.ok(graphOk(JSON.parse(await readFile(json, 'utf8'))), JSON.stringify(graphOk.errors));
      for (const part of parts) assert.ok(partOk(JSON.parse(await readFile(part, 'utf8'))), JSON.stringify(partOk.errors));
    });
  }

  test('refusals: one line each, exit 2', async () => {
    const shard = (i: number, n: number, ...extra: string[]) => {
      const file = path.join(tmp, `r-${i}-${n}-${extra.join('')}.json`);
      assert.equal(runCli(['extract', data, file, '--shard', `${i}/${n}`, '-q', ...extra]).exitCode, 0);
      return file;
    };
    const [a, b] = [shard(0, 2), shard(1, 2)];
    const cases: Array<[string[], RegExp]> = [
      [['merge', a, shard(1, 2, '--radius', '2'), '--out', path.join(tmp, 'x1')], /^nonadj merge: .*r-1-2---radius2\.json has radius 2 but .*r-0-2-\.json has 1: partial counts of different neighbourhoods cannot be summed\n$/],
      [['merge', a, shard(1, 2, '--contiguous'), '--out', path.join(tmp, 'x2')], /^nonadj merge: .* has contiguous true but .* has false: every shard must be extracted with the same label handling/],
      [['merge', a, '--out', path.join(tmp, 'x3')], /^nonadj merge: shard 1\/2 missing: give all 2 partial-counts files\n$/],
      [['merge', a, b, shard(0, 1), '--out', path.join(tmp, 'x4')], /^nonadj merge: .* has shard count 1 but .* has 2: merge the shards of one --shard i\/n run\n$/],
      [['merge', a, path.join(ROOT, 'data/aal.nii.txt'), '--out', path.join(tmp, 'x5')], /^nonadj merge: .*aal\.nii\.txt: not valid JSON/],
      [['extract', data, path.join(tmp, 'x6'), '--shard', '4/4'], /^nonadj extract: option '--shard <i\/n>' argument '4\/4' is invalid\. expected i\/n with 0 ≤ i < n/],
      [['extract', data, path.join(tmp, 'x7'), '--shard', '0/2'], /^nonadj extract: with --shard, <output> is the partial-counts file to write and must end in \.json/],
      [['extract', data, path.join(tmp, 'x8'), '--min-exams', '4'], /^nonadj extract: min-exams is 4 but there are 3 exam\(s\): no pair could be allowed/],
    ];
    for (const [args, message] of cases) {
      const run = runCli(args);
      assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length <= 2, true, run.stderr);
    }
    for (const x of ['x1', 'x2', 'x3', 'x4', 'x5', 'x8']) assert.deepEqual(await readdir(path.join(tmp, x)).catch(() => []), [], x);
  });
});
