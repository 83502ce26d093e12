/** One entry of a label table. */
export interface LabelEntry {
  /** Structure name. */
  name: string;
  /** Display colour `[r, g, b]` in 0..255, when the file gives one. */
  rgb?: [number, number, number];
}

/** Which text format {@link parseLabelNames} recognised. */
export type LabelTableFormat = 'itk-snap' | 'freesurfer' | 'index-name';

/** Result of {@link parseLabelNames}. */
export interface ParseLabelNamesResult {
  format: LabelTableFormat;
  /** Label code → entry. */
  entries: Map<number, LabelEntry>;
}

const ITK_SNAP = /^(-?\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+"(.*)"\s*$/;
const FREESURFER = /^(-?\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;
const INDEX_NAME = /^(-?\d+)\s+(.+?)(?:\s+(-?\d+))?\s*$/;

/**
 * Parse a label-name table in any of the formats neuroimaging tools ship:
 * - ITK-SNAP label descriptions: `IDX R G B A VIS MSH "LABEL"` (comments `#`);
 * - FreeSurfer colour LUTs: `index name r g b a` (comments `#`);
 * - `index name [code]` lines, as MRIcron's `aal.nii.txt` (`1 Precentral_L 2001`) or tab-separated
 *   `index<TAB>name` as in `JHU-WhiteMatter-labels-1mm.nii.txt`.
 *
 * The format is decided by the first data line and every line must then match it.
 *
 * @param text - file contents (any line endings).
 * @param source - file name for error messages.
 * @throws SyntaxError naming the file and line that matches no format, or a label code given twice.
 */
export function parseLabelNames(text: string, source = 'label names'): ParseLabelNamesResult {
  const entries = new Map<number, LabelEntry>();
  let format: LabelTableFormat | null = null;
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (format === null) format = ITK_SNAP.test(line) ? 'itk-snap' : FREESURFER.test(line) ? 'freesurfer' : 'index-name';
    let code: number;
    let entry: LabelEntry;
    const where = `${source}: line ${index + 1}`;
    if (format === 'itk-snap') {
      const m = ITK_SNAP.exec(line);
      if (!m) throw new SyntaxError(`${where} is "${line}", expected an ITK-SNAP entry: IDX R G B A VIS MSH "LABEL"`);
      code = Number(m[1]);
      entry = { name: m[8], rgb: [Number(m[2]), Number(m[3]), Number(m[4])] };
    } else if (format === 'freesurfer') {
      const m = FREESURFER.exec(line);
      if (!m) throw new SyntaxError(`${where} is "${line}", expected a FreeSurfer LUT entry: index name r g b a`);
      code = Number(m[1]);
      entry = { name: m[2], rgb: [Number(m[3]), Number(m[4]), Number(m[5])] };
    } else {
      const m = INDEX_NAME.exec(line);
      if (!m) throw new SyntaxError(`${where} is "${line}", expected "index name" or "index name code"`);
      code = Number(m[1]);
      entry = { name: m[2] };
    }
    if (entries.has(code)) throw new SyntaxError(`${where}: label ${code} is named twice ("${entries.get(code)!.name}" and "${entry.name}")`);
    entries.set(code, entry);
  });
  if (format === null) throw new SyntaxError(`${source}: no label entries found, expected lines like "1 Precentral_L"`);
  return { format, entries };
}
