/**
 * `schemas/check.schema.json` compiled by a standard validator (ajv, JSON Schema 2020-12, strict mode) against
 * documents made by the same code as `nonadj check --json` (the CLI test validates the built binary's output too):
 * real checks are valid, and each way a document can be wrong is refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkSegmentation } from '../src/metric/checkSegmentation.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { makeCheckDocument } from '../src/qc/makeCheckDocument.js';
import { makeVolume } from '../src/volume/Volume.js';
import { ROOT } from './helpers/runCliSnapshot.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'check.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

// Host 1 with an island of 2 (forbidden) and one voxel of 7 (unknown to the prior).
const data = new Uint8Array(125).fill(1);
data[62] = 2;
data[0] = 7;
const seg = makeVolume([5, 5, 5], data);
const prior = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { names: ['bg', 'host', 'island'] });
const doc = () =>
  JSON.parse(JSON.stringify(makeCheckDocument(
    {
      tool: { name: 'nonadj', version: '0.1.0' },
      prior: { path: 'graph.json', sha256: '0'.repeat(64), numLabels: 3 },
      options: { connectivity: 26, radius: 1, names: { path: 'lut.txt', sha256: 'f'.repeat(64) }, allowFloatLabels: false, keepGoing: true },
    },
    [{ file: 'a.nii.gz', status: 'ok', result: checkSegmentation(seg, prior), thumbnail: null }, { file: 'b.nii.gz', status: 'error', error: 'b.nii.gz: not NIfTI' }],
  )));

describe('schemas/check.schema.json', () => {
  test('a document with a checked case (pairs, unknown labels) and an error case is valid', () => {
    const d = doc();
    assert.equal(d.cases[0].pairs.length, 2);
    assert.equal(d.cases[0].unknownLabels.length, 1);
    assert.ok(validate(d), JSON.stringify(validate.errors));
  });

  const mutations: Array<[string, (d: any) => void]> = [
    ['the bare array of version 0', (d) => Object.assign(d, { cases: undefined })],
    ['a short hash', (d) => (d.prior.sha256 = 'abc')],
    ['an unknown status', (d) => (d.cases[1].status = 'skipped')],
    ['an error case with results', (d) => (d.cases[1].forbiddenPairs = 0)],
    ['a checked case without its reference', (d) => delete d.cases[0].reference],
    ['a pair with one label', (d) => (d.cases[0].pairs[0].labels = [1])],
    ['a fractional contact count', (d) => (d.cases[0].pairs[0].contacts = 1.5)],
    ['connectivity 8', (d) => (d.options.connectivity = 8)],
    ['--jobs recorded among the options', (d) => (d.options.jobs = 2)],
    ['another format', (d) => (d.format = 'nonadj-evaluate')],
  ];
  for (const [what, mutate] of mutations) {
    test(`refused: ${what}`, () => {
      const d = doc();
      mutate(d);
      assert.equal(validate(JSON.parse(JSON.stringify(d))), false);
    });
  }
});
