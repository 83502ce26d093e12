/** One entry of a label table. */
export interface LabelEntry {
  /** Structure name. */
  name: string;
  /** Display colour `[r, g, b]` in 0..255, when the file gives one. */
  rgb?: [number, number, number];
}

/**
 * Which format {@link parseLabelNames} recognised:
 * - `itk-snap`: ITK-SNAP label description, `IDX R G B A VIS MSH "LABEL"`;
 * - `freesurfer`: FreeSurfer colour LUT, `index name r g b a` or, without the alpha column, `index name r g b`;
 * - `index-name`: MRIcron / AAL `index name [code]` (`aal.nii.txt`, FSL's `*.nii.txt`), space- or tab-separated;
 * - `bids-dseg`: BIDS `dseg.tsv`, a header naming the columns `index` and `name` (others, e.g. `color`, optional);
 * - `nnunet`: nnU-Net `dataset.json`, its `labels` object (v2 name → value, v1 value → name).
 */
export type LabelTableFormat = 'itk-snap' | 'freesurfer' | 'index-name' | 'bids-dseg' | 'nnunet';

/** Result of {@link parseLabelNames}. */
export interface ParseLabelNamesResult {
  format: LabelTableFormat;
  /** Label code → entry. */
  entries: Map<number, LabelEntry>;
}

const ITK_SNAP = /^(-?\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+"(.*)"\s*$/;
const INTEGER = /^-?\d+$/;

/**
 * Parse a label-name table in any of the formats neuroimaging tools ship (see {@link LabelTableFormat}). The format
 * is recognised from the contents (a JSON object is nnU-Net's; a first line with tab-separated `index` and `name`
 * columns, or a `.tsv` file, is BIDS; a quoted name is ITK-SNAP; otherwise the shape of the first data line:
 * one name followed by three or four integers is a FreeSurfer LUT, by one or none an `index name [code]` table), and
 * every data line must then have exactly that shape. A line that does not, or whose name would swallow numbers (a
 * name followed by two integers, or five), is an error naming the file, the line and its text: a wrong name is
 * never given silently. In an `index name code` table a name given twice is refused too (`44 BA 44`, `45 BA 45`: the
 * number belongs to the name); `index<TAB>name` lines take the whole cell after the tab as the name (`44<TAB>BA 44`).
 *
 * nnU-Net region-based labels (`"tumor core": [2, 3]`, a value that lists several labels): each code is named after
 * the smallest region that holds it (BraTS: 1 whole tumor, 2 tumor core, 3 enhancing tumor), since the label maps
 * nnU-Net writes hold one code per voxel, the innermost region; two smallest regions of one size both holding a code
 * are an error.
 *
 * @param text - file contents (any line endings, an optional UTF-8 byte-order mark).
 * @param source - file name, for error messages; a `.tsv` or `.json` extension selects BIDS or nnU-Net.
 * @throws SyntaxError naming the file and the line (or JSON key) that matches no format, a label code given twice,
 *   or a table without entries.
 */
export function parseLabelNames(text: string, source = 'label names'): ParseLabelNamesResult {
  const body = text.replace(/^\uFEFF/, '');
  const ext = /\.(tsv|json)$/i.exec(source)?.[1]?.toLowerCase();
  if (ext === 'json' || (ext === undefined && body.trimStart().startsWith('{'))) return { format: 'nnunet', entries: parseNnunet(body, source) };
  const lines = body.split(/\r\n|\r|\n/);
  const firstData = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (firstData < 0) throw new SyntaxError(`${source}: no label entries found, expected lines like "1 Precentral_L"`);
  const headerCells = lines[firstData].split('\t').map((c) => c.trim().toLowerCase());
  if (ext === 'tsv' || (headerCells.includes('index') && headerCells.includes('name'))) {
    return { format: 'bids-dseg', entries: parseDsegTsv(lines, source) };
  }
  return parseLines(lines, source);
}

/** The line-based formats: ITK-SNAP, FreeSurfer (with or without alpha), `index name [code]`. */
function parseLines(lines: string[], source: string): ParseLabelNamesResult {
  const entries = new Map<number, LabelEntry>();
  let format: LabelTableFormat | null = null;
  /** Integers after the name on every line of an index-name or FreeSurfer table: 0 or 1, or 3 or 4. */
  let trailing = -1;
  /** Name → its line, in `index name code` tables. */
  const codeLines = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}: line ${index + 1}`;
    if (format === null) format = ITK_SNAP.test(line) ? 'itk-snap' : /"/.test(line) ? 'itk-snap' : 'index-name';
    let code: number;
    let entry: LabelEntry;
    if (format === 'itk-snap') {
      const m = ITK_SNAP.exec(line);
      if (!m) throw new SyntaxError(`${where} is "${line}", expected an ITK-SNAP entry: IDX R G B A VIS MSH "LABEL"`);
      code = Number(m[1]);
      entry = { name: m[8], rgb: [Number(m[2]), Number(m[3]), Number(m[4])] };
      if (entry.rgb!.some((c) => c > 255)) throw new SyntaxError(`${where} is "${line}", expected R G B in 0 … 255`);
    } else {
      const cells = line.split('\t').map((c) => c.trim()).filter((c) => c !== '');
      // "index<TAB>name" (FSL's and JHU's tables): the name is the whole second cell, spaces and a number included
      // ("BA 44"); a cell ending in two or more numbers ("Left-Hippocampus 220 216 20") is read by columns instead.
      const tabName = cells.length === 2 && INTEGER.test(cells[0]) && /\s/.test(cells[1]) && !/(\s-?\d+){2}$/.test(cells[1]);
      const tokens = tabName ? [cells[0], cells[1]] : line.split(/\s+/);
      let n = 0;
      while (n < tokens.length - 2 && INTEGER.test(tokens[tokens.length - 1 - n])) n++;
      const nameTokens = tokens.slice(1, tokens.length - n);
      const numbers = tokens.slice(tokens.length - n).map(Number);
      const expected =
        trailing < 0
          ? 'an "index name [code]" line (MRIcron, aal.nii.txt) or a FreeSurfer LUT line "index name r g b [a]"'
          : trailing >= 3
            ? `a FreeSurfer LUT entry "index name r g b${trailing === 4 ? ' a' : ''}" like the lines before`
            : `an "index name${trailing === 1 ? ' code' : ''}" line like the lines before`;
      if (!INTEGER.test(tokens[0]) || nameTokens.length === 0) throw new SyntaxError(`${where} is "${line}", expected ${expected}`);
      if (trailing < 0) {
        if (n === 2 || n > 4) throw new SyntaxError(`${where} is "${line}": ${n} numbers after the name, expected ${expected}`);
        trailing = n;
        if (n >= 3) format = 'freesurfer';
      }
      // A multi-word name is read only where no number follows it: "5 Area 44" in a 1-code table is name "Area",
      // code 44 by the table's shape, but "17 Left Hippocampus 220 216 20" in a LUT would hide a colour in the name.
      if (n !== trailing || (format === 'freesurfer' && nameTokens.length !== 1)) throw new SyntaxError(`${where} is "${line}", expected ${expected}`);
      if (format === 'freesurfer' && numbers.slice(0, 3).some((c) => c < 0 || c > 255)) {
        throw new SyntaxError(`${where} is "${line}", expected r g b in 0 … 255`);
      }
      code = Number(tokens[0]);
      entry = format === 'freesurfer' ? { name: nameTokens[0], rgb: [numbers[0], numbers[1], numbers[2]] } : { name: nameTokens.join(' ') };
      if (trailing === 1) {
        // "44 BA 44", "45 BA 45": read as name + code, every name would be "BA". A repeated name says the number
        // belongs to the name; refuse rather than name several labels alike.
        const before = codeLines.get(entry.name);
        if (before !== undefined) {
          throw new SyntaxError(`${where} is "${line}": the name "${entry.name}" is also line ${before}'s; if the last number is part of the name, separate index and name by a tab and drop the code column`);
        }
        codeLines.set(entry.name, index + 1);
      }
    }
    addEntry(entries, code, entry, where);
  });
  return { format: format!, entries };
}

/** BIDS `dseg.tsv`: a header with `index` and `name` columns (any order, others ignored but `color`), then rows. */
function parseDsegTsv(lines: string[], source: string): Map<number, LabelEntry> {
  const entries = new Map<number, LabelEntry>();
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  const header = lines[headerAt].split('\t').map((c) => c.trim().toLowerCase());
  const indexCol = header.indexOf('index');
  const nameCol = header.indexOf('name');
  const colorCol = header.indexOf('color');
  if (indexCol < 0 || nameCol < 0) {
    throw new SyntaxError(`${source}: line ${headerAt + 1} is "${lines[headerAt].trim()}", expected a BIDS dseg.tsv header: tab-separated columns including "index" and "name"`);
  }
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split('\t').map((c) => c.trim());
    const where = `${source}: line ${i + 1}`;
    if (cells.length !== header.length || !INTEGER.test(cells[indexCol]) || cells[nameCol] === '') {
      throw new SyntaxError(`${where} is "${lines[i].trim()}", expected ${header.length} tab-separated columns (${header.join(', ')}) with an integer index and a name`);
    }
    const entry: LabelEntry = { name: cells[nameCol] };
    if (colorCol >= 0 && cells[colorCol] !== '' && cells[colorCol].toLowerCase() !== 'n/a') {
      const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(cells[colorCol]);
      if (!m) throw new SyntaxError(`${where}: color is "${cells[colorCol]}", expected #rrggbb`);
      entry.rgb = [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
    }
    addEntry(entries, Number(cells[indexCol]), entry, where);
  }
  if (entries.size === 0) throw new SyntaxError(`${source}: no label entries found after the header`);
  return entries;
}

/** nnU-Net `dataset.json`: v2 `labels` name → value (a value may list a region's labels), v1 value → name. */
function parseNnunet(text: string, source: string): Map<number, LabelEntry> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${source}: not valid JSON (${(error as Error).message}), expected an nnU-Net dataset.json`);
  }
  const labels = (doc as { labels?: unknown } | null)?.labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new SyntaxError(`${source}: "labels" is ${JSON.stringify(labels) ?? 'missing'}, expected an object (nnU-Net dataset.json)`);
  }
  const pairs = Object.entries(labels as Record<string, unknown>);
  if (pairs.length === 0) throw new SyntaxError(`${source}: "labels" is empty, expected at least one label`);
  const entries = new Map<number, LabelEntry>();
  if (pairs.every(([key, value]) => INTEGER.test(key.trim()) && typeof value === 'string')) {
    // v1: "0": "background".
    for (const [key, value] of pairs) addEntry(entries, Number(key), { name: value as string }, `${source}: labels."${key}"`);
    return entries;
  }
  // v2: "background": 0, or a region "tumor core": [2, 3].
  const regions = pairs.map(([name, value]) => {
    const codes = Array.isArray(value) ? value : [value];
    if (codes.length === 0 || !codes.every((c) => Number.isInteger(c) && (c as number) >= 0)) {
      throw new SyntaxError(`${source}: labels."${name}" is ${JSON.stringify(value)}, expected a label value ≥ 0 or a list of them (nnU-Net v2), or use "value": "name" (v1)`);
    }
    return { name, codes: [...new Set(codes as number[])] };
  });
  const codes = [...new Set(regions.flatMap((r) => r.codes))].sort((a, b) => a - b);
  for (const code of codes) {
    const holding = regions.filter((r) => r.codes.includes(code));
    const size = Math.min(...holding.map((r) => r.codes.length));
    const smallest = holding.filter((r) => r.codes.length === size);
    if (smallest.length > 1) {
      throw new SyntaxError(`${source}: label ${code} is in ${smallest.map((r) => `"${r.name}"`).join(' and ')}, regions of the same size: expected one smallest region per label to name it`);
    }
    entries.set(code, { name: smallest[0].name });
  }
  return entries;
}

function addEntry(entries: Map<number, LabelEntry>, code: number, entry: LabelEntry, where: string): void {
  if (!Number.isSafeInteger(code)) throw new SyntaxError(`${where}: label ${code} is not a safe integer`);
  if (entries.has(code)) throw new SyntaxError(`${where}: label ${code} is named twice ("${entries.get(code)!.name}" and "${entry.name}")`);
  entries.set(code, entry);
}
