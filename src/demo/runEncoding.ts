import type { DemoReport } from './demoReport.js';

/** A Vega-Lite channel definition on the `run` field. */
interface RunChannel {
  field: 'run';
  type: 'nominal';
  scale: { domain: string[] };
  legend: { title: string; values: string[] } | null;
}

/** The `color` and `shape` channels of `runEncoding`. */
export interface RunEncoding {
  color: RunChannel;
  shape: RunChannel;
}

/**
 * The channels that tell the runs apart on every demo chart: colour and point shape, both by run. Each scale's
 * domain is every run of the report in report order, so Vega-Lite's default colour scheme and shape list give run i
 * the same colour and shape on all charts, whichever runs a chart draws. Two runs with (nearly) equal values then
 * still show as two different outlines on one spot. The merged legend lists only the runs the chart draws, and is
 * left out when it draws none.
 *
 * @param shown - the names of the runs drawn on this chart, in report order.
 */
export function runEncoding(r: DemoReport, shown: readonly string[]): RunEncoding {
  const channel = (): RunChannel => ({
    field: 'run',
    type: 'nominal',
    scale: { domain: r.runs.map((run) => run.name) },
    legend: shown.length > 0 ? { title: 'run', values: [...shown] } : null,
  });
  return { color: channel(), shape: channel() };
}
