import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeVolume } from '../volume/Volume.js';
import { writeNiftiFile } from '../volume/niftiFile.js';
import { assertPartialCountsJson } from './assertPartialCountsJson.js';
import { countExams } from './countExams.js';
import { extractPrior, type ExtractPriorOptions } from './extractPrior.js';
import type { ExamFile } from './findExams.js';
import { mergePartialCounts, type PartialCountsSource } from './mergePartialCounts.js';
import type { PartialCountsJson } from './PartialCountsJson.js';
import { partialCountsToJson } from './partialCountsToJson.js';
import { priorFromExamCounts } from './priorFromExamCounts.js';

describe('mergePartialCounts', () => {
  let dir: string;
  const all: ExamFile[] = [];
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-merge-'));
    // Five 5×4×3 exams with different, large and sparse label codes (so shards hold different label sets).
    const codes = [0, 3, 17, 1002, 14175];
    for (let e = 0; e < 5; e++) {
      const data = Int16Array.from({ length: 60 }, (_, v) => (v % (7 + e) === 0 ? -1 : codes[(v * (e + 3) + e) % (2 + e)]));
      const file = path.join(dir, `e${e}.nii.gz`);
      await writeNiftiFile(file, makeVolume([5, 4, 3], data), { kind: 'labels' });
      all.push({ id: `e${e}`, file });
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** The partial-counts document of exams `from … to−1`, through JSON as it is written and read. */
  async function shard(index: number, count: number, options: ExtractPriorOptions, names: PartialCountsJson['names'] = null): Promise<PartialCountsSource> {
    const from = Math.floor((index * all.length) / count);
    const to = Math.floor(((index + 1) * all.length) / count);
    const sums = await countExams(all.slice(from, to), { ...options, threads: 1, hash: true });
    const doc = partialCountsToJson(sums, {
      tool: 't', numLabels: options.numLabels ?? null, contiguous: options.contiguous ?? false, minExams: options.minExams ?? 1, names,
      shard: { index, count, examsTotal: all.length },
    });
    const parsed: unknown = JSON.parse(JSON.stringify(doc));
    assertPartialCountsJson(parsed, `s${index}.json`);
    return { doc: parsed, source: `s${index}.json` };
  }

  const SETTINGS: ExtractPriorOptions[] = [
    { contiguous: true },
    { contiguous: true, minExams: 2, connectivity: 6 },
    { numLabels: 20000, contiguous: true, radius: 2 },
    { contiguous: true, minExams: 3, connectivity: 18 },
  ];
  for (const options of SETTINGS) {
    test(`the merge of n shards, in any order, is one run's graph.json byte for byte: ${JSON.stringify(options)}`, async () => {
      const one = JSON.stringify((await extractPrior(all, { ...options, threads: 1, tool: 't' })).prior.toJson());
      for (const n of [1, 2, 3, 5, 7]) {
        const parts = await Promise.all(Array.from({ length: n }, (_, i) => shard(i, n, options)));
        parts.reverse();
        const { sums, options: merged, tool } = mergePartialCounts(parts);
        assert.equal(tool, 't');
        assert.equal(JSON.stringify(priorFromExamCounts(sums, { ...merged, tool: 't' }).prior.toJson()), one, `${n} shards`);
      }
    });
  }

  test('a dense prior of small codes and names: merged = one run', async () => {
    const names = new Map([[3, { name: 'three' }], [17, { name: 'seventeen' }]]);
    const options = { numLabels: 18 };
    // Exams 0 and 1 hold codes up to 17 only.
    const saved = all.splice(2);
    try {
      const one = JSON.stringify((await extractPrior(all, { ...options, names, threads: 1, tool: 't' })).prior.toJson());
      const parts = [await shard(0, 2, options, [[3, 'three'], [17, 'seventeen']]), await shard(1, 2, options, [[3, 'three'], [17, 'seventeen']])];
      const { sums, options: merged } = mergePartialCounts(parts);
      assert.equal(JSON.stringify(priorFromExamCounts(sums, { ...merged, tool: 't' }).prior.toJson()), one);
    } finally {
      all.push(...saved);
    }
  });

  test('refuses mismatched neighbourhoods, label handling, missing, repeated or overlapping shards, one line each', async () => {
    const base = { contiguous: true };
    const [a, b] = [await shard(0, 2, base), await shard(1, 2, base)];
    const edit = (p: PartialCountsSource, change: (d: PartialCountsJson) => void, source = p.source): PartialCountsSource => {
      const doc = structuredClone(p.doc);
      change(doc);
      return { doc, source };
    };
    const cases: Array<[string, PartialCountsSource[], RegExp]> = [
      ['radius', [a, edit(b, (d) => (d.radius = 2))], /^s1\.json has radius 2 but s0\.json has 1: partial counts of different neighbourhoods cannot be summed$/],
      ['connectivity', [a, edit(b, (d) => (d.connectivity = 6))], /^s1\.json has connectivity 6 but s0\.json has 26/],
      ['nb_labels', [a, edit(b, (d) => (d.numLabels = 200))], /^s1\.json has nb_labels 200 but s0\.json has null/],
      ['contiguous', [a, edit(b, (d) => (d.contiguous = false))], /^s1\.json has contiguous false but s0\.json has true/],
      ['min-exams', [a, edit(b, (d) => (d.minExams = 2))], /^s1\.json has min-exams 2 but s0\.json has 1/],
      ['names', [a, edit(b, (d) => (d.names = [[1, 'x']]))], /^s1\.json has names \[\[1,"x"\]\] but s0\.json has null/],
      ['tool', [a, edit(b, (d) => (d.tool = 'u'))], /^s1\.json has tool "u" but s0\.json has "t"/],
      ['a missing shard', [a], /^shard 1\/2 missing: give all 2 partial-counts files$/],
      ['a repeated shard', [a, edit(a, () => undefined, 'copy.json')], /^copy\.json and s0\.json are both shard 0\/2|^s0\.json and copy\.json are both shard 0\/2/],
      ['shards of another split', [a, edit(b, (d) => (d.shard!.count = 3))], /^s1\.json has shard count 3 but s0\.json has 2/],
      ['a shard mixed with an unsharded file', [a, edit(b, (d) => (d.shard = null))], /^s1\.json is not a shard but s0\.json is/],
      ['the same file in two shards', [a, edit(b, (d) => d.exams.push({ ...a.doc.exams[0], sha256: 'f'.repeat(64) }))], /^exam .*e0\.nii\.gz is in both s0\.json and s1\.json: overlapping/],
      ['the same contents in two shards', [a, edit(b, (d) => (d.exams[0].sha256 = a.doc.exams[0].sha256))], /^exam .*\.nii\.gz in s1\.json has the same contents \(sha256 [0-9a-f]{12}…\) as an exam in s0\.json/],
    ];
    for (const [what, parts, message] of cases) assert.throws(() => mergePartialCounts(parts), (e: Error) => message.test(e.message) && !e.message.includes('\n'), what);
  });
});
