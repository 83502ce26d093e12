import { logger, parse, View, Warn } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** What `renderChartSvg` returns. */
export interface RenderChartSvgResult {
  /** One `<svg>` element, no XML prolog, ready to inline in HTML (its only URLs are the SVG and XLink namespaces). */
  svg: string;
  /** Warnings and errors Vega-Lite or Vega logged without throwing, in order (empty for a well-formed chart). */
  warnings: string[];
}

/**
 * Renders a Vega-Lite chart to an SVG string in Node, headless: the spec is compiled by `vega-lite`, parsed by
 * `vega` and drawn by a `View` with no renderer attached (`renderer: 'none'`), so no canvas, DOM or network is used.
 * Text widths come from Vega's estimate (no canvas), so the same spec gives the same bytes on every machine.
 *
 * The chart must carry its data inline (`data.values`): a URL would make the loader fetch.
 *
 * @param spec - a Vega-Lite top-level spec with inline data.
 * @returns the SVG and what Vega logged instead of printing it (library code never prints).
 * @throws whatever `vega-lite`'s `compile` or Vega's dataflow throws for a malformed spec.
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<RenderChartSvgResult> {
  const warnings: string[] = [];
  const log = logger(Warn, undefined, (_method, level, args) => {
    warnings.push(`${level} ${args.map(String).join(' ')}`);
  });
  const view = new View(parse(compile(spec, { logger: log }).spec), { renderer: 'none', logger: log });
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}
