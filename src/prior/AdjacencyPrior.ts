import { readFile, stat } from 'node:fs/promises';
import type { AdjacencyPriorJson, PriorExam } from './AdjacencyPriorJson.js';
import { assertPriorJson } from './assertPriorJson.js';
import type { Connectivity } from './neighbourhood.js';
import { resolveNeighbourhood } from './neighbourhood.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

export type { AdjacencyPriorJson, PriorExam } from './AdjacencyPriorJson.js';

/** Everything about a prior except its counts. All fields optional when building one in memory. */
export interface AdjacencyPriorMeta {
  /** `labels[i]` = the label code in the label maps that row/column `i` stands for. Default: `i`. */
  labels?: number[];
  /** `names[i]` = name of row/column `i`, or null when unknown. */
  names?: Array<string | null>;
  /** Neighbourhood the counts were made with. @default 26 */
  connectivity?: Connectivity;
  /** Chebyshev radius in voxels. @default 1 */
  radius?: number;
  /** Exams the counts were summed over. */
  exams?: PriorExam[];
  /** Tool and version that made it, e.g. `nonadj 0.1.0`. */
  tool?: string;
  /** Pairs touching in fewer exams than this were made forbidden (`extract --min-exams`). @default 1 */
  minExams?: number;
}

/**
 * The label-adjacency prior of METHOD.md §1: an `L × L` matrix of ordered neighbour-pair counts summed over a
 * set of annotated label maps, with what made it. A pair (i, j) is *allowed* when its count is > 0 (one contact
 * in one exam suffices) and *forbidden* otherwise; the diagonal is allowed wherever a label touches itself.
 *
 * Saved as `graph.png.csv` (the reference's format: counts only, `;`-separated, readable by
 * `numpy.loadtxt(path, delimiter=';')`) and `graph.json` (counts plus labels, names, neighbourhood and exams).
 */
export class AdjacencyPrior {
  /** Number of labels `L`. */
  readonly numLabels: number;
  /** `L × L` row-major counts (exact integers). Row = centre label, column = neighbour label. */
  readonly counts: Float64Array;
  /** `labels[i]` = label code of row `i`. */
  readonly labels: readonly number[];
  /** `names[i]` = name of row `i`, or null. */
  readonly names: ReadonlyArray<string | null>;
  readonly connectivity: Connectivity;
  readonly radius: number;
  readonly exams: readonly PriorExam[];
  readonly tool: string | null;
  /** Pairs touching in fewer exams than this were made forbidden when the prior was extracted (1: none). */
  readonly minExams: number;
  private codeToIndex: Map<number, number> | null = null;

  private constructor(counts: Float64Array, numLabels: number, meta: AdjacencyPriorMeta, source = 'AdjacencyPrior') {
    let neighbourhood;
    try {
      neighbourhood = resolveNeighbourhood(meta);
    } catch (error) {
      throw new RangeError(`${source}: ${(error as Error).message}`);
    }
    const { connectivity, radius } = neighbourhood;
    this.numLabels = numLabels;
    this.counts = counts;
    this.labels = meta.labels ?? Array.from({ length: numLabels }, (_, i) => i);
    this.names = meta.names ?? Array.from({ length: numLabels }, () => null);
    this.connectivity = connectivity;
    this.radius = radius;
    this.exams = meta.exams ?? [];
    this.tool = meta.tool ?? null;
    this.minExams = meta.minExams ?? 1;
    if (!Number.isInteger(this.minExams) || this.minExams < 1) throw new RangeError(`${source}: minExams is ${this.minExams}, expected a positive integer`);
    if (this.labels.length !== numLabels || this.names.length !== numLabels) {
      throw new RangeError(
        `${source}: ${this.labels.length} label codes and ${this.names.length} names for ${numLabels} labels, expected ${numLabels} of each`,
      );
    }
  }

  /**
   * A prior from a count matrix.
   *
   * @param counts - `L × L` as nested arrays, or row-major in a flat array of length `L²`.
   * @throws RangeError when the matrix is not square, holds a negative/non-finite/non-integer count, or is not symmetric.
   */
  static fromCounts(counts: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>, meta: AdjacencyPriorMeta = {}, source = 'AdjacencyPrior'): AdjacencyPrior {
    let flat: Float64Array;
    let L: number;
    if (counts.length > 0 && typeof counts[0] !== 'number') {
      const rows = counts as ReadonlyArray<ArrayLike<number>>;
      L = rows.length;
      flat = new Float64Array(L * L);
      rows.forEach((row, i) => {
        if (row.length !== L) throw new RangeError(`${source}: row ${i} has ${row.length} values, expected ${L} (a square matrix)`);
        for (let j = 0; j < L; j++) flat[i * L + j] = row[j];
      });
    } else {
      const values = counts as ArrayLike<number>;
      L = Math.round(Math.sqrt(values.length));
      if (L * L !== values.length) throw new RangeError(`${source}: ${values.length} counts, expected a square number (L × L)`);
      flat = Float64Array.from(values);
    }
    if (L === 0) throw new RangeError(`${source}: empty count matrix, expected at least one label`);
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const c = flat[i * L + j];
        if (!Number.isInteger(c) || c < 0) {
          throw new RangeError(`${source}: count [${i}][${j}] is ${c}, expected a non-negative integer`);
        }
        if (j < i && c !== flat[j * L + i]) {
          throw new RangeError(`${source}: count [${i}][${j}] = ${c} but [${j}][${i}] = ${flat[j * L + i]}, expected a symmetric matrix`);
        }
      }
    }
    return new AdjacencyPrior(flat, L, meta, source);
  }

  /**
   * Parse the reference's `graph.png.csv`: one row per line, `;` between values. Float notation (`1.2e+03`, as
   * numpy's `savetxt` writes) is accepted when the value is an integer.
   */
  static parseCsv(text: string, meta: AdjacencyPriorMeta = {}, source = 'graph.png.csv'): AdjacencyPrior {
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
    if (lines.length > PRIOR_LIMITS.maxLabels) {
      throw new RangeError(`${source}: ${lines.length} rows, over the limit of ${PRIOR_LIMITS.maxLabels} labels`);
    }
    const rows = lines.map((line, i) =>
      line.split(';').map((cell, j) => {
        const value = Number(cell.trim());
        if (cell.trim() === '' || !Number.isFinite(value)) {
          throw new RangeError(`${source}: line ${i + 1}, column ${j + 1} is "${cell.trim()}", expected a number`);
        }
        return value;
      }),
    );
    return AdjacencyPrior.fromCounts(rows, meta, source);
  }

  /**
   * Parse a `graph.json` document, validated strictly against `schemas/graph.schema.json` (see `assertPriorJson`).
   *
   * @throws Error naming `source`, the field and the value when it is not a valid format-1 prior.
   */
  static parseJson(text: string, source = 'graph.json'): AdjacencyPrior {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
    }
    assertPriorJson(doc, source);
    return AdjacencyPrior.fromCounts(
      doc.counts,
      {
        labels: doc.labels,
        names: doc.names,
        connectivity: doc.connectivity,
        radius: doc.radius,
        exams: doc.exams,
        tool: doc.tool ?? undefined,
        minExams: doc.minExams,
      },
      source,
    );
  }

  /**
   * Read a prior from `graph.json` or `graph.png.csv` (chosen by extension: `.json`, else CSV).
   * A CSV carries no metadata; pass what is known in `meta` (names, neighbourhood).
   */
  static async read(file: string, meta: AdjacencyPriorMeta = {}): Promise<AdjacencyPrior> {
    let text: string;
    try {
      // Bounded before reading: JSON.parse of a file of gigabytes would exhaust memory first.
      const { size } = await stat(file);
      if (size > PRIOR_LIMITS.maxPriorBytes) {
        throw new Error(`cannot read prior ${file}: it has ${size} bytes, over the limit of ${PRIOR_LIMITS.maxPriorBytes} bytes of a prior of ${PRIOR_LIMITS.maxLabels} labels`);
      }
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as Error).message.startsWith('cannot read prior')) throw error;
      throw new Error(`cannot read prior ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (file.toLowerCase().endsWith('.json')) {
      const prior = AdjacencyPrior.parseJson(text, file);
      return meta.names ? prior.withNames(meta.names) : prior;
    }
    return AdjacencyPrior.parseCsv(text, meta, file);
  }

  /** Count of ordered pair (i, j) (indices, not codes). */
  count(i: number, j: number): number {
    return this.counts[i * this.numLabels + j];
  }

  /** Whether labels i and j (indices) may touch: count > 0. */
  isAllowed(i: number, j: number): boolean {
    return this.counts[i * this.numLabels + j] > 0;
  }

  /** `L × L` row-major 0/1 mask of allowed pairs (`counts > 0`). */
  allowedMask(): Uint8Array {
    return Uint8Array.from(this.counts, (c) => (c > 0 ? 1 : 0));
  }

  /** `L × L` row-major 0/1 mask `F = 1 − (counts > 0)` of forbidden pairs (METHOD.md §3). */
  forbiddenMask(): Uint8Array {
    return Uint8Array.from(this.counts, (c) => (c > 0 ? 0 : 1));
  }

  /** Number of forbidden *ordered* pairs (`nForbidden` of METHOD.md §3; each unordered off-diagonal pair counts twice). */
  get forbiddenOrderedPairs(): number {
    let n = 0;
    for (const c of this.counts) if (c === 0) n++;
    return n;
  }

  /** Number of forbidden unordered pairs {i, j} with i < j (the diagonal excluded). */
  get forbiddenUnorderedPairs(): number {
    let n = 0;
    for (let i = 0; i < this.numLabels; i++) for (let j = i + 1; j < this.numLabels; j++) if (this.count(i, j) === 0) n++;
    return n;
  }

  /**
   * Allowed pairs in compressed sparse row form: the allowed columns of row `i` are
   * `cols[rowPtr[i] .. rowPtr[i+1])`, ascending. Used by the sparse NonAdjLoss.
   */
  allowedCsr(): { rowPtr: Int32Array; cols: Int32Array } {
    const L = this.numLabels;
    const rowPtr = new Int32Array(L + 1);
    const cols: number[] = [];
    for (let i = 0; i < L; i++) {
      rowPtr[i] = cols.length;
      for (let j = 0; j < L; j++) if (this.counts[i * L + j] > 0) cols.push(j);
    }
    rowPtr[L] = cols.length;
    return { rowPtr, cols: Int32Array.from(cols) };
  }

  /** Indices of labels whose row is all zero: they never occurred, so every pair involving them is forbidden. */
  emptyRows(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.numLabels; i++) {
      let any = false;
      for (let j = 0; j < this.numLabels && !any; j++) any = this.counts[i * this.numLabels + j] > 0;
      if (!any) out.push(i);
    }
    return out;
  }

  /** Row index of label code `code`, or −1 when the prior does not know it. */
  indexOfLabel(code: number): number {
    if (!this.codeToIndex) this.codeToIndex = new Map(this.labels.map((c, i) => [c, i]));
    return this.codeToIndex.get(code) ?? -1;
  }

  /** Display name of row `i`: its name when known, else `label <code>`. */
  nameOf(i: number): string {
    return this.names[i] ?? `label ${this.labels[i]}`;
  }

  /** The same prior with names (indexed by row). */
  withNames(names: ReadonlyArray<string | null>): AdjacencyPrior {
    return new AdjacencyPrior(this.counts, this.numLabels, { ...this.meta(), names: [...names] });
  }

  /**
   * Keep only labels that occur (non-empty rows), renumbered `0 … K−1` in ascending code order; `labels` keeps
   * each new row's original code (METHOD.md §3: empty rows inflate `nForbidden`).
   */
  contiguous(): AdjacencyPrior {
    const empty = new Set(this.emptyRows());
    const keep = Array.from({ length: this.numLabels }, (_, i) => i).filter((i) => !empty.has(i));
    const K = keep.length;
    const counts = new Float64Array(K * K);
    keep.forEach((oi, i) => keep.forEach((oj, j) => (counts[i * K + j] = this.count(oi, oj))));
    return new AdjacencyPrior(counts, K, {
      ...this.meta(),
      labels: keep.map((i) => this.labels[i]),
      names: keep.map((i) => this.names[i]),
    });
  }

  /** The reference's CSV: integer counts, `;`-separated, one row per line, trailing newline. */
  toCsv(): string {
    const L = this.numLabels;
    const lines: string[] = [];
    for (let i = 0; i < L; i++) lines.push(Array.from(this.counts.subarray(i * L, (i + 1) * L), String).join(';'));
    return lines.join('\n') + '\n';
  }

  /** The `graph.json` document. */
  toJson(): AdjacencyPriorJson {
    const L = this.numLabels;
    return {
      format: 'nonadj-adjacency-prior',
      version: 1,
      tool: this.tool,
      numLabels: L,
      connectivity: this.connectivity,
      radius: this.radius,
      labels: [...this.labels],
      relabelled: this.labels.some((c, i) => c !== i),
      names: [...this.names],
      exams: this.exams.map((e) => ({ ...e })),
      // Only when it changed the prior: a default extraction writes what earlier versions wrote, byte for byte.
      ...(this.minExams !== 1 ? { minExams: this.minExams } : {}),
      forbiddenOrderedPairs: this.forbiddenOrderedPairs,
      counts: Array.from({ length: L }, (_, i) => Array.from(this.counts.subarray(i * L, (i + 1) * L))),
    };
  }

  private meta(): AdjacencyPriorMeta {
    return {
      labels: [...this.labels],
      names: [...this.names],
      connectivity: this.connectivity,
      radius: this.radius,
      exams: [...this.exams],
      tool: this.tool ?? undefined,
      minExams: this.minExams,
    };
  }
}
