import { readFile } from 'node:fs/promises';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { parseLabelNames } from '../prior/parseLabelNames.js';

/** What {@link loadPrior} returns. */
export interface LoadedPrior {
  /** The prior, with the names of `--names` filled in where it had none. */
  prior: AdjacencyPrior;
  /** Every name of `--names` by code (also those the prior does not know), empty without `--names`. */
  names: Map<number, string>;
}

/**
 * Read the prior given by `--prior` (graph.json or graph.png.csv) and, with `--names`, a label-name table
 * (any format `parseLabelNames` reads). A name in the prior wins over one from the table.
 *
 * @throws Error naming the file when either cannot be read or parsed.
 */
export async function loadPrior(file: string, namesFile?: string): Promise<LoadedPrior> {
  if (/\.(nii(\.gz)?|png)$/i.test(file)) {
    throw new Error(`--prior ${file} is not a prior: expected graph.json or graph.png.csv (made by nonadj extract)`);
  }
  let prior = await AdjacencyPrior.read(file);
  const names = new Map<number, string>();
  if (namesFile) {
    let text: string;
    try {
      text = await readFile(namesFile, 'utf8');
    } catch (error) {
      throw new Error(`cannot read names file ${namesFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    for (const [code, entry] of parseLabelNames(text, namesFile).entries) names.set(code, entry.name);
    prior = prior.withNames(prior.labels.map((code, i) => prior.names[i] ?? names.get(code) ?? null));
  }
  return { prior, names };
}
