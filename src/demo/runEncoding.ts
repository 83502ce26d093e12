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
 * The channels that tell the series of a demo chart apart (the report's rows, or the seeds of λ auto): colour and
 * point shape, both on the data's `run` field. Each scale's domain is every series the chart could draw, in a fixed
 * order (for rows: `report.runs` order), so Vega-Lite's default colour scheme and shape list give series i the same
 * colour and shape on every chart keyed on the same domain, whichever of them a chart draws. Two series with (nearly)
 * equal values then still show as two different outlines on one spot (10 colours × 8 shapes: distinct pairs for up
 * to 40 series). The merged legend lists only the series the chart draws, and is left out when it draws none.
 *
 * @param domain - every series name, in the fixed order (e.g. `report.runs.map((run) => run.name)`).
 * @param shown - the names drawn on this chart, in that order.
 * @param title - the legend's title.
 */
export function runEncoding(domain: readonly string[], shown: readonly string[], title = 'row'): RunEncoding {
  const channel = (): RunChannel => ({
    field: 'run',
    type: 'nominal',
    scale: { domain: [...domain] },
    legend: shown.length > 0 ? { title, values: [...shown] } : null,
  });
  return { color: channel(), shape: channel() };
}
