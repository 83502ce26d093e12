import { findComparison } from './findComparison.js';
import { formatInterval } from './formatInterval.js';
import { formatMeanSd } from './formatMeanSd.js';
import { isSinglePreview } from './isSinglePreview.js';
import { formatSigned } from './formatSigned.js';
import { TEST_DOMAINS, type ComparedMetric, type DemoDomain, type DemoReport, type DomainSummary } from './demoReport.js';

/** A table as plain text cells (no markup): each renderer escapes them for its own format. */
export interface DemoTable {
  header: string[];
  /** Each row has as many cells as the header. */
  rows: string[][];
}

/** The tables of one test domain. */
export interface DemoDomainTables {
  domain: (typeof TEST_DOMAINS)[number];
  /** Rows in `report.runs` order, then the ground truth's floor (when the report has the domain's truth). */
  main: DemoTable;
  /** Every row but the control against the control, from `report.comparisons` (rows without one are left out). */
  paired: DemoTable;
}

/** What {@link demoTables} returns: every table of the demo's reports, in the order they appear. */
export interface DemoTables {
  /** What was run, as labelled plain-text items. */
  setup: Array<{ label: string; text: string }>;
  /** The reference λ heuristic per seed. */
  heuristic: DemoTable;
  /** The headline decision's validation candidates. */
  decision: DemoTable;
  domains: DemoDomainTables[];
  /** What the λ controller of the auto arm did, per seed. */
  autoLambda: DemoTable;
  /** The test (and validation) subjects' own anatomy against the prior. */
  anatomy: DemoTable;
}

/** What the reports call each test domain. */
export const DOMAIN_TITLES = { test: 'training scanner', 'unseen-test': 'unseen scanner' } as const;

/** The formula of the reference λ heuristic, as the reports state it. */
export const HEURISTIC_FORMULA =
  'λ_ref = 0.3 × (mean training Dice coefficient) / (mean training NonAdjLoss), both measured over the warm-up epoch of the seed\'s auto run ' +
  '(trained at λ = 0; METHOD.md §4). Fixed-λ arms of a seed use multiples of that seed\'s λ_ref.';

/** Name of the floor row of the main tables. */
export const FLOOR_ROW = 'ground truth (floor)';

const fixed = (x: number | null | undefined, digits: number) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** λ as the tables print it: 3 significant digits. */
export const formatLambda = (x: number) => (x === 0 ? '0' : x.toPrecision(3));

/**
 * The tables of a demo report (version 2) as plain text, shared by `renderDemoMarkdown` and `renderDemoHtml` so both
 * print the same numbers. Formats: Dice 0…1 with 3 decimals (its SD too), Dice differences in points (× 100) with 2;
 * contacts 1 decimal, relative changes in percent with 0; forbidden pairs, HD100 (mm) and their differences 1 decimal;
 * extra components and collapsed structures (means per subject) 2. Differences are signed (U+2212) with their 95 %
 * bootstrap interval; an interval containing 0 prints as `no detectable difference [low, high]` (`formatInterval`).
 */
export function demoTables(r: DemoReport): DemoTables {
  const ft = r.plan.fineTune;
  const sets = Object.entries(r.sets).map(([k, v]) => `${k} ${v.length}`).join(', ');
  return {
    setup: [
      { label: 'Mode', text: `${r.mode}${isSinglePreview(r) ? ' (single-seed preview)' : ''}; fine-tune seeds: ${r.seeds.join(', ')} (every arm once per seed, all from the same baseline)` },
      {
        label: 'Data',
        text: `${r.atlas === 'aal' ? 'Colin27 T1 + AAL' : 'INIA19 + NeuroMaps'}, labels ${r.labels}, cohort ${r.cohort} (${r.cohort === 'warp' ? 'smooth warps of the atlas' : 'anatomy varied per subject'}), data seed ${r.dataSeed}; ` +
          `grid ${r.grid.dims.join('×')} at ${r.grid.spacingMm.join('×')} mm. Subjects: ${sets}. Unseen scanner: ${r.unseenContrast}`,
      },
      { label: 'Prior', text: `${r.prior.numLabels} labels incl. background, ${r.prior.forbiddenUnorderedPairs} forbidden unordered pairs, from the training label maps (${r.prior.file})` },
      { label: 'Baseline', text: `${r.baseline.source}: ${r.baseline.note}` },
      { label: 'Fine-tunes', text: `${ft.epochs} epochs × ${ft.steps} steps of batch ${ft.batchSize}, Adam at ${ft.lr}, from the baseline; fixed-λ arms are not validated, so every arm is compared after the same steps` },
      { label: 'Rows', text: r.runs.map((run) => `${run.name} (${run.description})`).join('; ') },
    ],
    heuristic: {
      header: ['seed', 'λ_ref', 'mean training Dice coefficient', 'mean training NonAdjLoss'],
      rows: r.heuristic.map((h) => [String(h.seed), formatLambda(h.lambda), h.diceCoefficient.toFixed(3), h.nonAdjacency.toPrecision(3)]),
    },
    decision: {
      header: ['multiplier', 'row', 'validation Dice Δ (points)', 'validation contacts change (%)', 'eligible'],
      rows: r.decision.candidates.map((c) => [
        `${c.multiplier}×`, c.run, formatSigned(c.diceDeltaPoints, 2),
        c.contactsChangePercent === null ? '–' : formatSigned(c.contactsChangePercent, 0),
        c.run === r.decision.chosen ? 'yes: chosen' : c.eligible ? 'yes' : 'no',
      ]),
    },
    domains: TEST_DOMAINS.map((domain) => ({ domain, main: mainTable(r, domain), paired: pairedTable(r, domain) })),
    autoLambda: {
      header: ['seed', 'epochs', 'λ grew', 'λ shrank', 'reloads', 'λ at the end', 'λ at the end / λ_ref'],
      rows: r.autoLambda.map((a) => {
        const last = a.lambdas.at(-1);
        const ref = r.heuristic.find((h) => h.seed === a.seed)?.lambda;
        return [
          String(a.seed), String(a.lambdas.length), String(a.grew), String(a.shrank), String(a.reloads),
          last === undefined ? '–' : formatLambda(last), last === undefined || !ref ? '–' : `${(last / ref).toFixed(2)}×`,
        ];
      }),
    },
    anatomy: {
      header: ['subject', 'forbidden pairs', 'forbidden contacts', 'extra pairs', 'missing pairs', 'pairs the prior lacks (contacts)'],
      rows: r.truth.map((t) => [`${t.set}/${t.id}`, String(t.forbiddenPairs), String(t.forbiddenContacts), String(t.extraPairs), String(t.missingPairs), t.extra.join('; ') || '–']),
    },
  };
}

function mainTable(r: DemoReport, domain: DemoDomain): DemoTable {
  const rows = r.runs.map((run) => {
    const d: DomainSummary | null = run.domains[domain];
    if (!d) return [run.name, '–', '–', '–', '–', '–', '–'];
    return [
      run.name,
      formatMeanSd(d.meanDice, d.sdDiceOverSeeds, d.seeds, 3),
      formatMeanSd(d.forbiddenContacts, d.sdContactsOverSeeds, d.seeds, 1),
      fixed(d.forbiddenPairs, 1),
      fixed(d.meanHausdorffMaxMm, 1),
      fixed(d.extraComponents, 2),
      fixed(d.collapsed, 2),
    ];
  });
  const truth = r.truth.filter((t) => t.set === domain);
  if (truth.length > 0) {
    const mean = (k: 'forbiddenContacts' | 'forbiddenPairs') => truth.reduce((s, t) => s + t[k], 0) / truth.length;
    rows.push([FLOOR_ROW, '–', fixed(mean('forbiddenContacts'), 1), fixed(mean('forbiddenPairs'), 1), '–', '–', '–']);
  }
  return {
    header: ['row', 'Dice (mean ± SD over seeds)', 'forbidden contacts (mean ± SD over seeds)', 'forbidden pairs', 'HD100 (mm)', 'extra components', 'collapsed structures'],
    rows,
  };
}

function pairedTable(r: DemoReport, domain: DemoDomain): DemoTable {
  const rows: string[][] = [];
  for (const run of r.runs) {
    const c = (metric: ComparedMetric) => findComparison(r, run.name, domain, metric);
    const [dice, contacts, hd, extra] = (['dice', 'forbiddenContacts', 'hausdorffMaxMm', 'extraComponents'] as const).map(c);
    const any = dice ?? contacts ?? hd ?? extra;
    if (!any) continue;
    rows.push([
      run.name,
      `${any.seeds} × ${any.subjects}`,
      formatInterval(dice?.meanDifference, { digits: 2 }),
      formatInterval(contacts?.relativeChange, { digits: 0, scale: 100 }),
      formatInterval(contacts?.medianRelativeChange, { digits: 0, scale: 100 }),
      formatInterval(hd?.meanDifference, { digits: 1 }),
      formatInterval(extra?.meanDifference, { digits: 2 }),
    ]);
  }
  return {
    header: [
      'row', 'seeds × subjects', 'Dice Δ (points) [95 % CI]', 'contacts change (%) [95 % CI]',
      'median per-subject contacts change (%) [95 % CI]', 'HD100 Δ (mm) [95 % CI]', 'extra components Δ [95 % CI]',
    ],
    rows,
  };
}
