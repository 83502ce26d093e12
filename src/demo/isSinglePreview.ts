import type { DemoReport } from './demoReport.js';

/**
 * Whether a demo report is a single-seed preview rather than the replicated experiment: the `quick` and `default`
 * modes, and any report with fewer than two seeds (its intervals carry no seed-to-seed variation). Every rendering
 * of such a report says so.
 */
export function isSinglePreview(r: Pick<DemoReport, 'mode' | 'seeds'>): boolean {
  return r.mode === 'quick' || r.mode === 'default' || r.seeds.length < 2;
}
