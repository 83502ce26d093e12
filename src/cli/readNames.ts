import { readFile } from 'node:fs/promises';
import { parseLabelNames } from '../prior/parseLabelNames.js';

/**
 * Read a label-name table given by `--names` (any format `parseLabelNames` reads: FreeSurfer LUT, ITK-SNAP,
 * MRIcron/AAL, BIDS dseg.tsv, nnU-Net dataset.json) when no prior
 * supplies names.
 *
 * @returns names by label code.
 * @throws Error naming the file when it cannot be read or parsed.
 */
export async function readNames(file: string): Promise<Map<number, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read names file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return new Map([...parseLabelNames(text, file).entries].map(([code, e]) => [code, e.name]));
}
