import type { CheckSegmentationResult } from '../metric/checkSegmentation.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import type { CheckedCase } from './checkCases.js';

/** A file named in a check's provenance, with the SHA-256 of its bytes (64 lowercase hex digits). */
export interface HashedFile {
  path: string;
  sha256: string;
}

/** One case of `nonadj check --json`: its check, or why it could not be checked (`--keep-going`). */
export type CheckDocumentCase =
  | ({ file: string; status: 'ok' } & CheckSegmentationResult)
  | { file: string; status: 'error'; error: string };

/**
 * `nonadj check --json` (format `nonadj-check`, version 1; `schemas/check.schema.json`): what was run, on what, and
 * the result of every case in input order.
 */
export interface CheckDocument {
  format: 'nonadj-check';
  version: 1;
  /** The program that wrote it. */
  tool: { name: string; version: string };
  /** The prior the cases were checked against, with its hash, so a result can be traced to the exact prior. */
  prior: HashedFile & { numLabels: number };
  /** Everything that changes the numbers (not `--jobs`: the results are the same for any number of workers). */
  options: {
    connectivity: Connectivity;
    radius: number;
    /** The `--names` table, or null. */
    names: HashedFile | null;
    allowFloatLabels: boolean;
    keepGoing: boolean;
  };
  /** Counts over the cases: checked with no forbidden contact (`clean`), with some (`flagged`), not checked (`errors`). */
  summary: { cases: number; clean: number; flagged: number; errors: number };
  cases: CheckDocumentCase[];
}

/** What {@link makeCheckDocument} needs besides the cases. */
export interface CheckProvenance {
  tool: { name: string; version: string };
  prior: HashedFile & { numLabels: number };
  options: CheckDocument['options'];
}

/** Assemble the `--json` document of a check run (thumbnails are left out: they belong to the HTML report). */
export function makeCheckDocument(provenance: CheckProvenance, checked: readonly CheckedCase[]): CheckDocument {
  const cases: CheckDocumentCase[] = checked.map((c) => (c.status === 'ok' ? { file: c.file, status: 'ok', ...c.result } : { file: c.file, status: 'error', error: c.error }));
  const ok = cases.filter((c) => c.status === 'ok');
  const flagged = ok.filter((c) => c.forbiddenContacts > 0).length;
  return {
    format: 'nonadj-check',
    version: 1,
    tool: provenance.tool,
    prior: provenance.prior,
    options: provenance.options,
    summary: { cases: cases.length, clean: ok.length - flagged, flagged, errors: cases.length - ok.length },
    cases,
  };
}
