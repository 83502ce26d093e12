import type { CountedExam, ExamCounts } from './ExamCounts.js';
import type { PartialCountsJson } from './PartialCountsJson.js';
import type { PriorFromExamCountsOptions } from './priorFromExamCounts.js';
import { sumExamCounts } from './sumExamCounts.js';

/** One partial-counts document and the file it came from (named in errors). */
export interface PartialCountsSource {
  doc: PartialCountsJson;
  source: string;
}

/** Result of {@link mergePartialCounts}: the summed counts and the label handling they share. */
export interface MergePartialCountsResult {
  sums: ExamCounts;
  /** The shared `numLabels`, `contiguous`, `minExams` and names, to pass to `priorFromExamCounts`. */
  options: Required<Pick<PriorFromExamCountsOptions, 'contiguous' | 'minExams'>> & Pick<PriorFromExamCountsOptions, 'numLabels' | 'names'>;
  /** The `tool` the partial counts were written by. */
  tool: string | null;
}

/**
 * Sum partial-counts files (`extract --shard i/n`) exactly, so that `priorFromExamCounts` on the result gives the
 * prior one `extract` run over all the exams gives. Sharded files are put in shard order (the exam order of one
 * run) whatever order they are given in; files without a shard are kept in the order given.
 *
 * @param parts - validated documents (`assertPartialCountsJson`).
 * @throws Error (one line) naming the files when they disagree: tool, neighbourhood (connectivity, radius), label
 *   handling (nb_labels, contiguous, min-exams, names), shard count or exam total; when a shard is given twice or
 *   missing, sharded and unsharded files are mixed, or two files hold the same exam (same file or same contents).
 */
export function mergePartialCounts(parts: readonly PartialCountsSource[]): MergePartialCountsResult {
  if (parts.length === 0) throw new Error('mergePartialCounts: no partial counts given, expected at least one file');
  const [first] = parts;
  const same = (what: string, value: (d: PartialCountsJson) => unknown, hint: string) => {
    const expected = JSON.stringify(value(first.doc));
    for (const p of parts) {
      const got = JSON.stringify(value(p.doc));
      if (got !== expected) throw new Error(`${p.source} has ${what} ${short(got)} but ${first.source} has ${short(expected)}: ${hint}`);
    }
  };
  same('tool', (d) => d.tool, 'partial counts must come from one nonadj version');
  same('connectivity', (d) => d.connectivity, 'partial counts of different neighbourhoods cannot be summed');
  same('radius', (d) => d.radius, 'partial counts of different neighbourhoods cannot be summed');
  same('nb_labels', (d) => d.numLabels, 'every shard must be extracted with the same label handling');
  same('contiguous', (d) => d.contiguous, 'every shard must be extracted with the same label handling (--contiguous)');
  same('min-exams', (d) => d.minExams, 'every shard must be extracted with the same --min-exams');
  same('names', (d) => d.names, 'every shard must be extracted with the same --names table');

  let ordered = [...parts];
  const sharded = parts.filter((p) => p.doc.shard !== null);
  if (sharded.length > 0 && sharded.length < parts.length) {
    const plain = parts.find((p) => p.doc.shard === null)!;
    throw new Error(`${plain.source} is not a shard but ${sharded[0].source} is: merge either the shards of one --shard i/n run or unsharded partial counts`);
  }
  if (sharded.length > 0) {
    same('shard count', (d) => d.shard!.count, 'merge the shards of one --shard i/n run');
    same('exam total', (d) => d.shard!.examsTotal, 'the shards were made from different exam lists');
    ordered.sort((a, b) => a.doc.shard!.index - b.doc.shard!.index);
    const n = first.doc.shard!.count;
    for (let k = 1; k < ordered.length; k++) {
      if (ordered[k].doc.shard!.index === ordered[k - 1].doc.shard!.index) {
        throw new Error(`${ordered[k].source} and ${ordered[k - 1].source} are both shard ${ordered[k].doc.shard!.index}/${n}`);
      }
    }
    const have = new Set(ordered.map((p) => p.doc.shard!.index));
    const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
    if (missing.length > 0) {
      throw new Error(`shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).map((i) => `${i}/${n}`).join(', ')}${missing.length > 10 ? ', …' : ''} missing: give all ${n} partial-counts files`);
    }
  }
  const byFile = new Map<string, string>();
  const byHash = new Map<string, string>();
  for (const p of ordered) {
    for (const e of p.doc.exams) {
      // Within one file, a repeated exam was counted twice by one run on purpose; across files it is an overlap.
      const f = byFile.get(e.file);
      if (f !== undefined && f !== p.source) throw new Error(`exam ${e.file} is in both ${f} and ${p.source}: overlapping partial counts would count it twice`);
      const h = byHash.get(e.sha256);
      if (h !== undefined && h !== p.source) {
        throw new Error(`exam ${e.file} in ${p.source} has the same contents (sha256 ${e.sha256.slice(0, 12)}…) as an exam in ${h}: overlapping partial counts would count it twice`);
      }
      byFile.set(e.file, p.source);
      byHash.set(e.sha256, p.source);
    }
  }
  const total = ordered.reduce((n, p) => n + p.doc.exams.length, 0);
  if (sharded.length > 0 && total !== first.doc.shard!.examsTotal) {
    throw new Error(`the shards hold ${total} exams but were made from a list of ${first.doc.shard!.examsTotal}`);
  }
  if (total === 0) throw new Error(`the partial counts hold no exam`);
  const sums = sumExamCounts(ordered.map((p) => examCountsOf(p.doc)));
  const d = first.doc;
  return {
    sums,
    options: {
      ...(d.numLabels !== null ? { numLabels: d.numLabels } : {}),
      contiguous: d.contiguous,
      minExams: d.minExams,
      ...(d.names !== null ? { names: new Map(d.names.map(([code, name]) => [code, { name }])) } : {}),
    },
    tool: d.tool,
  };
}

/** The dense counts of one document. */
function examCountsOf(doc: PartialCountsJson): ExamCounts {
  const K = doc.labels.length;
  const counts = new Float64Array(K * K);
  const examCounts = new Float64Array(K * K);
  for (const [i, j, voxelPairs, exams] of doc.pairs) {
    counts[i * K + j] = counts[j * K + i] = voxelPairs;
    examCounts[i * K + j] = examCounts[j * K + i] = exams;
  }
  const exams: CountedExam[] = doc.exams.map((e) => ({ ...e }));
  return { connectivity: doc.connectivity, radius: doc.radius, exams, labels: doc.labels, counts, examCounts };
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
