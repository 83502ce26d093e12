/**
 * Figures of a committed demo report as the README quotes them, for the tests that check the README's sentences
 * against the report (test/readmeResult.test.ts: the human experiment; test/readmeMacaque.test.ts: the macaque's).
 */
import assert from 'node:assert/strict';
import type { ComparedMetric, DemoDomain, DemoReport } from '../../src/demo/demoReport.js';
import { findComparison } from '../../src/demo/findComparison.js';
import { formatSigned } from '../../src/demo/formatSigned.js';

/** Quoting helpers over one report; each asserts that the comparison it reads exists. */
export function reportQuotes(report: DemoReport) {
  const comparison = (run: string, domain: DemoDomain, metric: ComparedMetric) => {
    const c = findComparison(report, run, domain, metric);
    assert.ok(c, `report has no ${run} / ${domain} / ${metric} comparison`);
    return c;
  };
  return {
    comparison,
    /** Fall in contacts against the control, in whole percent (positive). */
    fall: (run: string, domain: DemoDomain = 'test') => Math.round(-comparison(run, domain, 'forbiddenContacts').relativeChange!.estimate * 100),
    /** Dice change against the control in points, signed, 2 decimals; with its 95 % interval when asked. */
    dice: (run: string, domain: DemoDomain, interval = false) => {
      const d = comparison(run, domain, 'dice').meanDifference;
      return formatSigned(d.estimate, 2) + (interval ? ` [${formatSigned(d.low, 2)}, ${formatSigned(d.high, 2)}]` : '');
    },
  };
}
