import type { ArmComparison, ComparedMetric, DemoDomain, DemoReport } from './demoReport.js';

/** The comparison of `run` on `domain` and `metric`, if the report has one. */
export function findComparison(r: DemoReport, run: string, domain: DemoDomain, metric: ComparedMetric): ArmComparison | undefined {
  return r.comparisons.find((c) => c.run === run && c.domain === domain && c.metric === metric);
}
