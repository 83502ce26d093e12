import type { AdjacencyPriorJson } from './AdjacencyPriorJson.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

const TOP_LEVEL = [
  'format', 'version', 'tool', 'numLabels', 'connectivity', 'radius', 'labels', 'relabelled', 'names', 'exams',
  'forbiddenOrderedPairs', 'counts',
] as const;
/** Fields a document may omit: absent from files written before they existed, or when at their default. */
const OPTIONAL = ['minExams'] as const;
const EXAM_FIELDS = ['id', 'file', 'dims', 'spacingMm'] as const;

/**
 * Check that a parsed `graph.json` is a format-1 prior exactly as `schemas/graph.schema.json` describes it, plus what
 * JSON Schema cannot state (sizes agree with `numLabels`, counts symmetric, `forbiddenOrderedPairs` consistent).
 *
 * Written by hand rather than with a JSON Schema validator: nonadj's dependencies include none (ajv is not
 * installed), and the checks across fields need code anyway. `test/priorSchema.test.ts` keeps this function and
 * the schema file in step. Strict on purpose: a label given as a string, a null count or a duplicated code made
 * `check` read a different prior than the one written, so nothing is coerced and unknown fields are refused.
 *
 * @param doc - the parsed JSON.
 * @param source - the file, named in every message.
 * @throws Error naming `source`, the field (with its index) and the value, and what was expected.
 */
export function assertPriorJson(doc: unknown, source: string): asserts doc is AdjacencyPriorJson {
  const fail = (what: string, value: unknown, expected: string): never => {
    throw new Error(`${source}: ${what} is ${show(value)}, expected ${expected}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('the document', doc, 'a JSON object (a nonadj graph.json)');
  const d = doc as Record<string, unknown>;
  if (d.format !== 'nonadj-adjacency-prior') fail('format', d.format, '"nonadj-adjacency-prior"');
  if (d.version !== 1) fail('version', d.version, '1');
  const known: readonly string[] = [...TOP_LEVEL, ...OPTIONAL];
  for (const key of Object.keys(d)) if (!known.includes(key)) fail(`field "${key}"`, d[key], `only ${known.join(', ')}`);
  for (const key of TOP_LEVEL) if (!(key in d)) throw new Error(`${source}: field "${key}" is missing`);

  const L = d.numLabels;
  if (!isInteger(L, 1, PRIOR_LIMITS.maxLabels)) fail('numLabels', L, `an integer in 1 … ${PRIOR_LIMITS.maxLabels}`);
  const n = L as number;
  if (d.tool !== null && typeof d.tool !== 'string') fail('tool', d.tool, 'a string or null');
  if (d.connectivity !== 6 && d.connectivity !== 18 && d.connectivity !== 26) fail('connectivity', d.connectivity, 'the number 6, 18 or 26');
  if (!isInteger(d.radius, 1, PRIOR_LIMITS.maxRadius)) fail('radius', d.radius, `an integer in 1 … ${PRIOR_LIMITS.maxRadius}`);
  if ('minExams' in d && !isInteger(d.minExams, 1, Number.MAX_SAFE_INTEGER)) fail('minExams', d.minExams, 'a positive integer');
  if (typeof d.relabelled !== 'boolean') fail('relabelled', d.relabelled, 'true or false');

  const labels = arrayOf('labels', d.labels, n);
  const seen = new Map<number, number>();
  labels.forEach((code, i) => {
    if (!isInteger(code, 0, Number.MAX_SAFE_INTEGER)) fail(`labels[${i}]`, code, 'an integer label code ≥ 0');
    const before = seen.get(code as number);
    if (before !== undefined) fail(`labels[${i}]`, code, `a code not used before (labels[${before}] is ${code as number} too)`);
    seen.set(code as number, i);
  });
  arrayOf('names', d.names, n).forEach((name, i) => {
    if (name !== null && typeof name !== 'string') fail(`names[${i}]`, name, 'a string or null');
  });

  if (!Array.isArray(d.exams)) fail('exams', d.exams, 'an array');
  (d.exams as unknown[]).forEach((exam, i) => {
    if (typeof exam !== 'object' || exam === null || Array.isArray(exam)) fail(`exams[${i}]`, exam, 'an object');
    const e = exam as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!(EXAM_FIELDS as readonly string[]).includes(key)) fail(`exams[${i}] field "${key}"`, e[key], `only ${EXAM_FIELDS.join(', ')}`);
    for (const key of ['id', 'file'] as const) if (typeof e[key] !== 'string') fail(`exams[${i}].${key}`, e[key], 'a string');
    arrayOf(`exams[${i}].dims`, e.dims, 3).forEach((x, a) => isInteger(x, 1, Number.MAX_SAFE_INTEGER) || fail(`exams[${i}].dims[${a}]`, x, 'a positive integer'));
    arrayOf(`exams[${i}].spacingMm`, e.spacingMm, 3).forEach(
      (x, a) => (typeof x === 'number' && Number.isFinite(x) && x >= 0) || fail(`exams[${i}].spacingMm[${a}]`, x, 'a finite number ≥ 0'),
    );
  });

  const rows = arrayOf('counts', d.counts, n);
  let zeros = 0;
  rows.forEach((row, i) => {
    const r = arrayOf(`counts[${i}]`, row, n);
    r.forEach((c, j) => {
      if (!isInteger(c, 0, Number.MAX_SAFE_INTEGER)) fail(`counts[${i}][${j}]`, c, 'a non-negative integer');
      if (c === 0) zeros++;
      if (j < i && c !== (rows[j] as unknown[])[i]) fail(`counts[${i}][${j}]`, c, `the same as counts[${j}][${i}] = ${show((rows[j] as unknown[])[i])} (a symmetric matrix)`);
    });
  });
  if (d.forbiddenOrderedPairs !== zeros) fail('forbiddenOrderedPairs', d.forbiddenOrderedPairs, `${zeros}, the number of zero counts`);

  function arrayOf(what: string, value: unknown, length: number): unknown[] {
    if (!Array.isArray(value)) fail(what, value, `an array of ${length}`);
    if ((value as unknown[]).length !== length) throw new Error(`${source}: ${what} has ${(value as unknown[]).length} entries, expected ${length}`);
    return value as unknown[];
  }
}

function isInteger(x: unknown, min: number, max: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

/** A value as it appears in the JSON, shortened: `"12"` for a string, `null`, `[1,2]`. */
function show(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
