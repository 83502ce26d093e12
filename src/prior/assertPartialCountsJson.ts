import type { PartialCountsJson } from './PartialCountsJson.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

const TOP_LEVEL = [
  'format', 'version', 'tool', 'connectivity', 'radius', 'numLabels', 'contiguous', 'minExams', 'names', 'shard', 'exams', 'labels', 'pairs',
] as const;
const EXAM_FIELDS = ['id', 'file', 'dims', 'spacingMm', 'maxLabel', 'sha256'] as const;
const SHARD_FIELDS = ['index', 'count', 'examsTotal'] as const;
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Check that a parsed partial-counts file is a format-1 document exactly as `schemas/partial-counts.schema.json`
 * describes it, plus what JSON Schema cannot state: label codes ascending, pair indices within `labels` with
 * `i ≤ j` in ascending order, a pair's exam count at most the number of exams, the shard index below the shard
 * count. Written by hand, as `assertPriorJson`, since nonadj ships no JSON Schema validator; `test/priorSchema.test.ts`
 * keeps the two in step with ajv.
 *
 * @param doc - the parsed JSON.
 * @param source - the file, named in every message.
 * @throws Error naming `source`, the field (with its index) and the value, and what was expected.
 */
export function assertPartialCountsJson(doc: unknown, source: string): asserts doc is PartialCountsJson {
  const fail = (what: string, value: unknown, expected: string): never => {
    throw new Error(`${source}: ${what} is ${show(value)}, expected ${expected}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const arrayOf = (what: string, value: unknown, length?: number): unknown[] => {
    if (!Array.isArray(value)) fail(what, value, length === undefined ? 'an array' : `an array of ${length}`);
    if (length !== undefined && (value as unknown[]).length !== length) throw new Error(`${source}: ${what} has ${(value as unknown[]).length} entries, expected ${length}`);
    return value as unknown[];
  };
  const onlyFields = (what: string, o: Record<string, unknown>, fields: readonly string[]) => {
    for (const key of Object.keys(o)) if (!fields.includes(key)) fail(`${what}field "${key}"`, o[key], `only ${fields.join(', ')}`);
    for (const key of fields) if (!(key in o)) throw new Error(`${source}: ${what}field "${key}" is missing`);
  };

  if (!isObject(doc)) fail('the document', doc, 'a JSON object (a nonadj partial-counts file)');
  const d = doc as Record<string, unknown>;
  if (d.format !== 'nonadj-partial-counts') fail('format', d.format, '"nonadj-partial-counts" (a file written by nonadj extract --shard)');
  if (d.version !== 1) fail('version', d.version, '1');
  onlyFields('', d, TOP_LEVEL);
  if (d.tool !== null && typeof d.tool !== 'string') fail('tool', d.tool, 'a string or null');
  if (d.connectivity !== 6 && d.connectivity !== 18 && d.connectivity !== 26) fail('connectivity', d.connectivity, 'the number 6, 18 or 26');
  if (!isInteger(d.radius, 1, PRIOR_LIMITS.maxRadius)) fail('radius', d.radius, `an integer in 1 … ${PRIOR_LIMITS.maxRadius}`);
  if (d.numLabels !== null && !isInteger(d.numLabels, 1, MAX)) fail('numLabels', d.numLabels, 'a positive integer or null');
  if (typeof d.contiguous !== 'boolean') fail('contiguous', d.contiguous, 'true or false');
  if (!isInteger(d.minExams, 1, MAX)) fail('minExams', d.minExams, 'a positive integer');
  if (d.names !== null) {
    let previous = -1;
    arrayOf('names', d.names).forEach((entry, i) => {
      const [code, name] = arrayOf(`names[${i}]`, entry, 2);
      if (!isInteger(code, 0, MAX)) fail(`names[${i}][0]`, code, 'an integer label code ≥ 0');
      if (typeof name !== 'string') fail(`names[${i}][1]`, name, 'a string');
      if ((code as number) <= previous) fail(`names[${i}][0]`, code, `a code above the previous one (${previous})`);
      previous = code as number;
    });
  }
  if (d.shard !== null) {
    if (!isObject(d.shard)) fail('shard', d.shard, 'an object or null');
    const s = d.shard as Record<string, unknown>;
    onlyFields('shard ', s, SHARD_FIELDS);
    if (!isInteger(s.count, 1, MAX)) fail('shard.count', s.count, 'a positive integer');
    if (!isInteger(s.index, 0, (s.count as number) - 1)) fail('shard.index', s.index, `an integer in 0 … ${(s.count as number) - 1}`);
    if (!isInteger(s.examsTotal, 0, MAX)) fail('shard.examsTotal', s.examsTotal, 'an integer ≥ 0');
  }
  const exams = arrayOf('exams', d.exams);
  exams.forEach((exam, i) => {
    if (!isObject(exam)) fail(`exams[${i}]`, exam, 'an object');
    const e = exam as Record<string, unknown>;
    onlyFields(`exams[${i}] `, e, EXAM_FIELDS);
    for (const key of ['id', 'file'] as const) if (typeof e[key] !== 'string') fail(`exams[${i}].${key}`, e[key], 'a string');
    arrayOf(`exams[${i}].dims`, e.dims, 3).forEach((x, a) => isInteger(x, 1, MAX) || fail(`exams[${i}].dims[${a}]`, x, 'a positive integer'));
    arrayOf(`exams[${i}].spacingMm`, e.spacingMm, 3).forEach(
      (x, a) => (typeof x === 'number' && Number.isFinite(x) && x >= 0) || fail(`exams[${i}].spacingMm[${a}]`, x, 'a finite number ≥ 0'),
    );
    if (!isInteger(e.maxLabel, -1, MAX)) fail(`exams[${i}].maxLabel`, e.maxLabel, 'an integer ≥ −1');
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) fail(`exams[${i}].sha256`, e.sha256, '64 lowercase hex digits');
  });
  const labels = arrayOf('labels', d.labels);
  if (labels.length > PRIOR_LIMITS.maxLabels) throw new Error(`${source}: labels has ${labels.length} entries, over the limit of ${PRIOR_LIMITS.maxLabels}`);
  labels.forEach((code, i) => {
    if (!isInteger(code, 0, MAX)) fail(`labels[${i}]`, code, 'an integer label code ≥ 0');
    if (i > 0 && (code as number) <= (labels[i - 1] as number)) fail(`labels[${i}]`, code, `a code above labels[${i - 1}] = ${labels[i - 1] as number} (ascending, distinct)`);
  });
  let previous = -1;
  arrayOf('pairs', d.pairs).forEach((pair, p) => {
    const [i, j, voxelPairs, examCount] = arrayOf(`pairs[${p}]`, pair, 4);
    if (!isInteger(i, 0, labels.length - 1)) fail(`pairs[${p}][0]`, i, `an index into labels (0 … ${labels.length - 1})`);
    if (!isInteger(j, i as number, labels.length - 1)) fail(`pairs[${p}][1]`, j, `an index into labels, ≥ pairs[${p}][0] = ${i as number}`);
    const key = (i as number) * labels.length + (j as number);
    if (key <= previous) fail(`pairs[${p}]`, pair, 'pairs sorted by i, then j, each once');
    previous = key;
    if (!isInteger(voxelPairs, 1, MAX)) fail(`pairs[${p}][2]`, voxelPairs, 'a positive integer (voxel pairs)');
    if (!isInteger(examCount, 1, exams.length)) fail(`pairs[${p}][3]`, examCount, `an integer in 1 … ${exams.length} (exams)`);
  });
}

function isInteger(x: unknown, min: number, max: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

/** A value as it appears in the JSON, shortened. */
function show(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
