/**
 * The published JSON schemas (`schemas/graph.schema.json`, `schemas/partial-counts.schema.json`) and nonadj's own
 * validators (`assertPriorJson`, `assertPartialCountsJson`, which the product runs since ajv is a dev dependency
 * only) must describe the same documents. A standard validator (ajv, JSON Schema 2020-12) checks real outputs, then
 * both are run over a table of mutated documents: they must agree, except for the cross-field rules each schema's
 * description lists (sizes, symmetry, order, forbiddenOrderedPairs), which only nonadj's validators refuse.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { assertPartialCountsJson } from '../src/prior/assertPartialCountsJson.js';
import { assertPriorJson } from '../src/prior/assertPriorJson.js';
import { countExams } from '../src/prior/countExams.js';
import { extractPrior } from '../src/prior/extractPrior.js';
import { parseLabelNames } from '../src/prior/parseLabelNames.js';
import { partialCountsToJson } from '../src/prior/partialCountsToJson.js';
import { ROOT } from './helpers/runCliSnapshot.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
const load = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'schemas', name), 'utf8')) as object;
const graphSchema = ajv.compile(load('graph.schema.json'));
const partialSchema = ajv.compile(load('partial-counts.schema.json'));
const AAL = path.join(ROOT, 'data/aal.nii.gz');

const validPrior = () =>
  AdjacencyPrior.fromCounts([[4, 2, 0], [2, 6, 1], [0, 1, 0]], {
    labels: [0, 2, 11175],
    names: ['background', null, 'ctx'],
    exams: [{ id: 'a', file: 'a.nii.gz', dims: [4, 3, 2], spacingMm: [1, 1, 1.5] }],
    tool: 'nonadj 0.1.0',
  }).toJson() as unknown as Record<string, any>;

const validPartial = (): Record<string, any> => ({
  format: 'nonadj-partial-counts',
  version: 1,
  tool: 'nonadj 0.1.0',
  connectivity: 26,
  radius: 1,
  numLabels: null,
  contiguous: true,
  minExams: 2,
  names: [[2, 'two'], [14175, 'ctx']],
  shard: { index: 1, count: 4, examsTotal: 9 },
  exams: [
    { id: 'a', file: 'a.nii.gz', dims: [4, 3, 2], spacingMm: [1, 1, 1.5], maxLabel: 14175, sha256: 'a'.repeat(64) },
    { id: 'b', file: 'b.nii.gz', dims: [4, 3, 2], spacingMm: [1, 1, 1.5], maxLabel: 2, sha256: 'b'.repeat(64) },
  ],
  labels: [0, 2, 14175],
  pairs: [[0, 0, 10, 2], [0, 2, 3, 1], [1, 1, 4, 1]],
});

type Mutation = [string, (d: Record<string, any>) => unknown, RegExp];
const PRIOR_MUTATIONS: Mutation[] = [
  ['the document is null', () => null, /the document is null, expected a JSON object/],
  ['the document is an array', () => [], /the document is \[\], expected a JSON object/],
  ['format missing', (d) => { delete d.format; return d; }, /format is missing/],
  ['version 2', (d) => { d.version = 2; return d; }, /version is 2, expected 1/],
  ['an unknown field', (d) => { d.extra = 1; return d; }, /field "extra" is 1, expected only format/],
  ['names missing', (d) => { delete d.names; return d; }, /field "names" is missing/],
  ['connectivity as a string', (d) => { d.connectivity = '26'; return d; }, /connectivity is "26", expected the number 6, 18 or 26/],
  ['connectivity 8', (d) => { d.connectivity = 8; return d; }, /connectivity is 8/],
  ['radius 1000', (d) => { d.radius = 1000; return d; }, /radius is 1000, expected an integer in 1 … 10/],
  ['radius 0.5', (d) => { d.radius = 0.5; return d; }, /radius is 0\.5/],
  ['numLabels 5000', (d) => { d.numLabels = 5000; return d; }, /numLabels is 5000, expected an integer in 1 … 4096/],
  ['a label as a string', (d) => { d.labels[1] = '2'; return d; }, /labels\[1\] is "2", expected an integer label code/],
  ['a null label', (d) => { d.labels[0] = null; return d; }, /labels\[0\] is null/],
  ['a duplicated label', (d) => { d.labels[2] = 2; return d; }, /labels\[2\] is 2, expected a code not used before \(labels\[1\] is 2 too\)/],
  ['a fractional label', (d) => { d.labels[2] = 2.5; return d; }, /labels\[2\] is 2\.5/],
  ['a negative label', (d) => { d.labels[2] = -3; return d; }, /labels\[2\] is -3/],
  ['a null count', (d) => { d.counts[0][2] = null; d.counts[2][0] = null; return d; }, /counts\[0\]\[2\] is null, expected a non-negative integer/],
  ['a count as a string', (d) => { d.counts[1][1] = '6'; return d; }, /counts\[1\]\[1\] is "6"/],
  ['a count as a nested array', (d) => { d.counts[1][1] = [6]; return d; }, /counts\[1\]\[1\] is \[6\]/],
  ['a negative count', (d) => { d.counts[0][0] = -4; return d; }, /counts\[0\]\[0\] is -4/],
  ['a name as a number', (d) => { d.names[1] = 7; return d; }, /names\[1\] is 7, expected a string or null/],
  ['tool as a number', (d) => { d.tool = 1; return d; }, /tool is 1/],
  ['relabelled as a string', (d) => { d.relabelled = 'yes'; return d; }, /relabelled is "yes"/],
  ['exam dims of two', (d) => { d.exams[0].dims = [4, 3]; return d; }, /exams\[0\]\.dims has 2 entries, expected 3/],
  ['exam spacing negative', (d) => { d.exams[0].spacingMm[2] = -1; return d; }, /exams\[0\]\.spacingMm\[2\] is -1/],
  ['exam with an unknown field', (d) => { d.exams[0].extra = true; return d; }, /exams\[0\] field "extra"/],
  ['minExams 0', (d) => { d.minExams = 0; return d; }, /minExams is 0, expected a positive integer/],
  ['minExams as a string', (d) => { d.minExams = '2'; return d; }, /minExams is "2"/],
  ['minExams null', (d) => { d.minExams = null; return d; }, /minExams is null/],
];
const PRIOR_CROSS_FIELD: Mutation[] = [
  ['an asymmetric matrix', (d) => { d.counts[0][1] = 3; return d; }, /counts\[1\]\[0\] is 2, expected the same as counts\[0\]\[1\] = 3/],
  ['a short row', (d) => { d.counts[1].pop(); return d; }, /counts\[1\] has 2 entries, expected 3/],
  ['labels shorter than numLabels', (d) => { d.labels.pop(); return d; }, /labels has 2 entries, expected 3/],
  ['a wrong forbiddenOrderedPairs', (d) => { d.forbiddenOrderedPairs = 0; return d; }, /forbiddenOrderedPairs is 0, expected 3, the number of zero counts/],
];
const PARTIAL_MUTATIONS: Mutation[] = [
  ['the document is a string', () => 'x', /the document is "x", expected a JSON object/],
  ['a graph.json given instead', () => validPrior(), /format is "nonadj-adjacency-prior", expected "nonadj-partial-counts"/],
  ['version 2', (d) => { d.version = 2; return d; }, /version is 2, expected 1/],
  ['an unknown field', (d) => { d.counts = []; return d; }, /field "counts" is \[\], expected only format/],
  ['pairs missing', (d) => { delete d.pairs; return d; }, /field "pairs" is missing/],
  ['connectivity 4', (d) => { d.connectivity = 4; return d; }, /connectivity is 4/],
  ['radius 11', (d) => { d.radius = 11; return d; }, /radius is 11/],
  ['numLabels 0', (d) => { d.numLabels = 0; return d; }, /numLabels is 0, expected a positive integer or null/],
  ['contiguous null', (d) => { d.contiguous = null; return d; }, /contiguous is null/],
  ['minExams 0', (d) => { d.minExams = 0; return d; }, /minExams is 0/],
  ['a name entry of three', (d) => { d.names[0].push('x'); return d; }, /names\[0\] has 3 entries, expected 2/],
  ['a name that is a number', (d) => { d.names[1][1] = 5; return d; }, /names\[1\]\[1\] is 5, expected a string/],
  ['a shard without its total', (d) => { delete d.shard.examsTotal; return d; }, /shard field "examsTotal" is missing/],
  ['a shard count of 0', (d) => { d.shard.count = 0; return d; }, /shard\.count is 0/],
  ['an exam without sha256', (d) => { delete d.exams[1].sha256; return d; }, /exams\[1\] field "sha256" is missing/],
  ['an upper-case sha256', (d) => { d.exams[0].sha256 = 'A'.repeat(64); return d; }, /exams\[0\]\.sha256 is "A+…, expected 64 lowercase hex digits/],
  ['maxLabel -2', (d) => { d.exams[0].maxLabel = -2; return d; }, /exams\[0\]\.maxLabel is -2/],
  ['a negative label', (d) => { d.labels[0] = -1; return d; }, /labels\[0\] is -1/],
  ['a repeated label', (d) => { d.labels[1] = 0; return d; }, /labels\[1\] is 0, expected a code above labels\[0\]/],
  ['a pair of three', (d) => { d.pairs[0].pop(); return d; }, /pairs\[0\] has 3 entries, expected 4/],
  ['a zero voxel count', (d) => { d.pairs[1][2] = 0; return d; }, /pairs\[1\]\[2\] is 0, expected a positive integer/],
  ['a fractional exam count', (d) => { d.pairs[1][3] = 1.5; return d; }, /pairs\[1\]\[3\] is 1\.5/],
];
const PARTIAL_CROSS_FIELD: Mutation[] = [
  ['labels not ascending', (d) => { d.labels = [2, 0, 14175]; return d; }, /labels\[1\] is 0, expected a code above labels\[0\] = 2/],
  ['a pair index past labels', (d) => { d.pairs[2][1] = 3; return d; }, /pairs\[2\]\[1\] is 3, expected an index into labels, ≥ pairs\[2\]\[0\] = 1/],
  ['a pair with i > j', (d) => { d.pairs[1] = [2, 0, 3, 1]; return d; }, /pairs\[1\]\[1\] is 0, expected an index into labels, ≥ pairs\[1\]\[0\] = 2/],
  ['pairs out of order', (d) => { d.pairs.reverse(); return d; }, /pairs\[1\] is \[0,2,3,1\], expected pairs sorted by i, then j, each once/],
  ['an exam count above the exams', (d) => { d.pairs[0][3] = 3; return d; }, /pairs\[0\]\[3\] is 3, expected an integer in 1 … 2 \(exams\)/],
  ['a shard index past the count', (d) => { d.shard.index = 4; return d; }, /shard\.index is 4, expected an integer in 0 … 3/],
  ['names out of order', (d) => { d.names.reverse(); return d; }, /names\[1\]\[0\] is 2, expected a code above the previous one \(14175\)/],
];

const errorsOf = (validate: typeof graphSchema, doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe('JSON schemas: real outputs pass ajv', () => {
  let graph: unknown;
  let graphMinExams: unknown;
  let partial: unknown;
  before(async () => {
    const names = parseLabelNames(readFileSync(path.join(ROOT, 'data/aal.nii.txt'), 'utf8'), 'aal.nii.txt').entries;
    const exams = [{ id: 'aal', file: AAL }, { id: 'aal2', file: AAL }];
    graph = JSON.parse(JSON.stringify((await extractPrior(exams.slice(0, 1), { threads: 1, names, tool: 'nonadj 0.1.0' })).prior.toJson()));
    graphMinExams = JSON.parse(JSON.stringify((await extractPrior(exams, { threads: 1, contiguous: true, minExams: 2 })).prior.toJson()));
    const sums = await countExams(exams.slice(0, 1), { threads: 1, hash: true });
    partial = JSON.parse(JSON.stringify(partialCountsToJson(sums, { tool: 'nonadj 0.1.0', numLabels: 117, contiguous: false, minExams: 1, names: [[1, 'Precentral_L']], shard: { index: 0, count: 2, examsTotal: 2 } })));
  });
  test('graph.json of AAL (names, dense) and with --contiguous --min-exams 2', () => {
    assert.deepEqual(errorsOf(graphSchema, graph), []);
    assert.doesNotThrow(() => assertPriorJson(graph, 'graph.json'));
    assert.deepEqual(errorsOf(graphSchema, graphMinExams), []);
    assert.equal((graphMinExams as { minExams: number }).minExams, 2);
  });
  test('partial counts of AAL', () => {
    assert.deepEqual(errorsOf(partialSchema, partial), []);
    assert.doesNotThrow(() => assertPartialCountsJson(partial, 'p.json'));
  });
});

for (const [what, validate, assertDoc, valid, mutations, crossField] of [
  ['graph.json', graphSchema, assertPriorJson, validPrior, PRIOR_MUTATIONS, PRIOR_CROSS_FIELD],
  ['partial counts', partialSchema, assertPartialCountsJson, validPartial, PARTIAL_MUTATIONS, PARTIAL_CROSS_FIELD],
] as const) {
  describe(`${what}: the schema (ajv) and nonadj's validator agree`, () => {
    test('the valid document passes both', () => {
      assert.deepEqual(errorsOf(validate, valid()), []);
      assert.doesNotThrow(() => assertDoc(valid(), 'g.json'));
    });
    for (const [name, mutate, message] of mutations) {
      test(`${name}: refused by both, naming the file`, () => {
        const doc = mutate(valid());
        assert.notDeepEqual(errorsOf(validate, doc), [], 'the schema accepts it');
        assert.throws(() => assertDoc(doc, 'g.json'), (e: Error) => e.message.startsWith('g.json: ') && message.test(e.message));
      });
    }
    for (const [name, mutate, message] of crossField) {
      test(`${name}: a cross-field rule, which the schema passes and nonadj refuses`, () => {
        const doc = mutate(valid());
        assert.deepEqual(errorsOf(validate, doc), []);
        assert.throws(() => assertDoc(doc, 'g.json'), (e: Error) => e.message.startsWith('g.json: ') && message.test(e.message));
      });
    }
  });
}

test('graph.json: a mutated prior is refused through AdjacencyPrior.parseJson too, naming the file', () => {
  for (const [, mutate] of PRIOR_MUTATIONS) {
    assert.throws(() => AdjacencyPrior.parseJson(JSON.stringify(mutate(validPrior())), 'dir/g.json'), (e: Error) => e.message.startsWith('dir/g.json: '));
  }
});
