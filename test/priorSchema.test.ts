/**
 * `schemas/graph.schema.json` and `assertPriorJson` must describe the same documents. ajv is not among the
 * dependencies, so the schema is evaluated here by a small interpreter of the keywords it uses (an oracle
 * independent of the hand-written validator), and both are run over a table of mutated priors: they must agree,
 * except for the cross-field rules the schema's description lists (sizes, symmetry, forbiddenOrderedPairs).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { assertPriorJson } from '../src/prior/assertPriorJson.js';
import { ROOT } from './helpers/runCliSnapshot.js';

type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/graph.schema.json'), 'utf8')) as Schema;

/** The JSON Schema keywords graph.schema.json uses, evaluated as the 2020-12 specification defines them. */
function schemaErrors(value: unknown, s: Schema, at = '$'): string[] {
  const errors: string[] = [];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v);
  if ('const' in s && JSON.stringify(value) !== JSON.stringify(s.const)) errors.push(`${at}: const`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${at}: enum`);
  if (s.type !== undefined) {
    const types = ([] as unknown[]).concat(s.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) errors.push(`${at}: type ${t}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${at}: maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errors.push(`${at}: minItems`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errors.push(`${at}: maxItems`);
    if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) errors.push(`${at}: uniqueItems`);
    if (s.items) value.forEach((v, i) => errors.push(...schemaErrors(v, s.items as Schema, `${at}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of (s.required as string[] | undefined) ?? []) if (!(key in o)) errors.push(`${at}.${key}: required`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(o)) {
      if (key in props) errors.push(...schemaErrors(v, props[key], `${at}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${at}.${key}: additionalProperties`);
    }
  }
  return errors;
}

const valid = () =>
  AdjacencyPrior.fromCounts([[4, 2, 0], [2, 6, 1], [0, 1, 0]], {
    labels: [0, 2, 11175],
    names: ['background', null, 'ctx'],
    exams: [{ id: 'a', file: 'a.nii.gz', dims: [4, 3, 2], spacingMm: [1, 1, 1.5] }],
    tool: 'nonadj 0.1.0',
  }).toJson() as unknown as Record<string, unknown>;

type Mutation = [string, (d: Record<string, any>) => unknown, RegExp];
const MUTATIONS: Mutation[] = [
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
];
// Rules JSON Schema cannot express (listed in the schema's description): only the hand validator refuses these.
const CROSS_FIELD: Mutation[] = [
  ['an asymmetric matrix', (d) => { d.counts[0][1] = 3; return d; }, /counts\[1\]\[0\] is 2, expected the same as counts\[0\]\[1\] = 3/],
  ['a short row', (d) => { d.counts[1].pop(); return d; }, /counts\[1\] has 2 entries, expected 3/],
  ['labels shorter than numLabels', (d) => { d.labels.pop(); return d; }, /labels has 2 entries, expected 3/],
  ['a wrong forbiddenOrderedPairs', (d) => { d.forbiddenOrderedPairs = 0; return d; }, /forbiddenOrderedPairs is 0, expected 3, the number of zero counts/],
];

describe('graph.json: schemas/graph.schema.json and assertPriorJson agree', () => {
  test('a prior written by toJson passes both', () => {
    assert.deepEqual(schemaErrors(valid(), schema), []);
    assert.doesNotThrow(() => assertPriorJson(valid(), 'g.json'));
  });
  for (const [name, mutate, message] of MUTATIONS) {
    test(`${name}: refused by both, naming the file`, () => {
      const doc = mutate(valid());
      assert.notDeepEqual(schemaErrors(doc, schema), [], 'the schema accepts it');
      assert.throws(() => assertPriorJson(doc, 'g.json'), (e: Error) => e.message.startsWith('g.json: ') && message.test(e.message));
      assert.throws(() => AdjacencyPrior.parseJson(JSON.stringify(doc), 'dir/g.json'), (e: Error) => e.message.startsWith('dir/g.json: '));
    });
  }
  for (const [name, mutate, message] of CROSS_FIELD) {
    test(`${name}: refused by assertPriorJson (a cross-field rule)`, () => {
      assert.throws(() => assertPriorJson(mutate(valid()), 'g.json'), (e: Error) => e.message.startsWith('g.json: ') && message.test(e.message));
    });
  }
});
