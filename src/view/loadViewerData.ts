import { readFile } from 'node:fs/promises';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { parseLabelNames, type LabelEntry } from '../prior/parseLabelNames.js';
import { readVolume } from '../volume/readVolume.js';
import { makeViewerData, type ViewerData } from './makeViewerData.js';
import { parseMricronLut } from './parseMricronLut.js';

/** Files of {@link loadViewerData}, as given on the command line. */
export interface LoadViewerDataOptions {
  /** Background image (`.nii`, `.nii.gz`, `.mgz`, `.mgh`); a 4D file shows its first frame. */
  image: string;
  /** 3D label map (`.nii`, `.nii.gz`, `.mgz`, `.mgh`). */
  segmentation?: string;
  /** Prior: `graph.json`, or the reference's `graph.png.csv`. */
  prior?: string;
  /** Label names in any format `parseLabelNames` reads (FreeSurfer LUT, ITK-SNAP, `aal.nii.txt`, BIDS `dseg.tsv`, nnU-Net `dataset.json`). */
  names?: string;
  /** MRIcron colour table (`aal.nii.lut`, 768 bytes). */
  lut?: string;
  /** Tool and version recorded in the report. */
  tool?: string;
}

/**
 * Read the files of `nonadj view` and compute what the page shows (see {@link makeViewerData}). Label names come
 * from `names`, then from the prior; colours from the names file (FreeSurfer, ITK-SNAP), then `lut`, then a
 * generated palette.
 *
 * @throws Error naming the file that cannot be read or parsed, and every error of {@link makeViewerData}.
 */
export async function loadViewerData(options: LoadViewerDataOptions): Promise<ViewerData> {
  const imageBytes = await readBytes(options.image, 'image');
  const image = readVolume(imageBytes, { source: options.image, frame: 0 });
  let segmentation;
  if (options.segmentation) {
    const bytes = await readBytes(options.segmentation, 'segmentation');
    const volume = readVolume(bytes, { source: options.segmentation, expect: '3d' });
    segmentation = { file: options.segmentation, volume, bytes: nifti(volume, bytes) };
  }
  let labels: Map<number, LabelEntry> | undefined;
  if (options.names) {
    labels = parseLabelNames(new TextDecoder().decode(await readBytes(options.names, 'names file')), options.names).entries;
  }
  const colours = options.lut ? parseMricronLut(await readBytes(options.lut, 'colour table'), options.lut) : undefined;
  let prior;
  if (options.prior) {
    let p = await AdjacencyPrior.read(options.prior);
    if (labels) {
      const named = labels;
      p = p.withNames(p.labels.map((code, i) => named.get(code)?.name ?? p.names[i]));
    }
    prior = { file: options.prior, prior: p };
  }
  return makeViewerData({
    image: { file: options.image, volume: image, bytes: nifti(image, imageBytes) },
    segmentation,
    prior,
    labels,
    colours,
    tool: options.tool,
  });
}

/** The page is sent NIfTI: a file's own bytes when it is NIfTI, none (so the volume is encoded) when it is MGH. */
function nifti(volume: { header: { format?: string } }, bytes: Uint8Array): Uint8Array | undefined {
  return volume.header.format === 'mgh' ? undefined : bytes;
}

async function readBytes(file: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}
