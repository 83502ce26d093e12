/**
 * Seeded fuzz pass over the label-table reader (`parseLabelNames`, behind every `--names`), as for the NIfTI reader:
 * random tables in each format must read back exactly (round trip), and a few hundred mutated tables must end
 * either in entries with sensible names and colours or in a SyntaxError naming the file and a line that holds the
 * text quoted: never a TypeError, never a name that swallowed a colour.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../src/numeric/seededRandom.js';
import { parseLabelNames, type LabelEntry, type LabelTableFormat } from '../src/prior/parseLabelNames.js';

const CASES = 300;
const WORDS = ['Left', 'Right', 'Hippocampus', 'ctx-lh-insula', 'Vermis_10', 'WM-hypointensities', 'a', 'x1', 'Caudate'];

interface Table {
  file: string;
  format: LabelTableFormat;
  text: string;
  entries: Map<number, LabelEntry>;
}

/** A random valid table in one of the formats, with the entries it must give. */
function randomTable(seed: number): Table {
  const rng = seededRandom(seed);
  const r = () => rng.next();
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
  const formats = ['freesurfer', 'freesurfer-5', 'itk-snap', 'index-name', 'index-name-code', 'bids-dseg', 'nnunet-v1', 'nnunet-v2'] as const;
  const kind = pick(formats);
  const n = 1 + int(12);
  const codes = [...new Set(Array.from({ length: n }, () => int(15000)))];
  const single = () => pick(WORDS) + (r() < 0.5 ? `_${int(99)}` : '');
  const entries = new Map<number, LabelEntry>();
  const lines: string[] = [];
  const eol = pick(['\n', '\r\n']);
  // One separator per table, as tools write them (a tab before a multi-word name makes it one cell).
  const sep = pick([' ', '  ', '\t', ' \t ']);
  const gap = () => sep;
  for (const code of codes) {
    const rgb: [number, number, number] = [int(256), int(256), int(256)];
    const spaced = kind === 'itk-snap' || kind === 'bids-dseg' || kind.startsWith('nnunet') || kind === 'index-name';
    let name = spaced && r() < 0.5 ? `${single()} ${single()}` : single();
    // Distinct names, as real tables have (an index-name-code table refuses repeats: see parseLabelNames).
    if ([...entries.values()].some((e) => e.name === name)) name = `${name}_${code}`;
    switch (kind) {
      case 'freesurfer':
      case 'freesurfer-5':
        lines.push([code, name, ...rgb, ...(kind === 'freesurfer' ? [0] : [])].join(gap()));
        entries.set(code, { name, rgb });
        break;
      case 'itk-snap':
        lines.push(`  ${code} ${rgb.join(' ')} ${pick(['1', '0.5', '0'])} 1 1 "${name}"`);
        entries.set(code, { name, rgb });
        break;
      case 'index-name':
        lines.push(`${code}${name.includes(' ') ? ' ' : gap()}${name}`);
        entries.set(code, { name });
        break;
      case 'index-name-code':
        lines.push([code, name, 2000 + int(9000)].join(gap()));
        entries.set(code, { name });
        break;
      case 'bids-dseg':
        lines.push(`${code}\t${name}\t#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`);
        entries.set(code, { name, rgb });
        break;
      default:
        entries.set(code, { name: `${name} ${code}` });
    }
  }
  if (kind === 'nnunet-v1') return { file: 'dataset.json', format: 'nnunet', text: JSON.stringify({ labels: Object.fromEntries(codes.map((c) => [String(c), entries.get(c)!.name])) }), entries };
  if (kind === 'nnunet-v2') return { file: 'dataset.json', format: 'nnunet', text: JSON.stringify({ labels: Object.fromEntries(codes.map((c) => [entries.get(c)!.name, c])) }), entries };
  const header = kind === 'bids-dseg' ? ['index\tname\tcolor'] : r() < 0.5 ? ['# a label table'] : [];
  const file = kind === 'bids-dseg' ? 'sub-1_dseg.tsv' : kind === 'itk-snap' ? 'labels.txt' : 'lut.txt';
  const format = kind === 'freesurfer-5' ? 'freesurfer' : kind === 'index-name-code' ? 'index-name' : kind;
  return { file, format, text: [...header, ...lines].join(eol) + eol, entries };
}

/** The table with 1–3 random edits: a character changed, deleted or inserted, a token dropped, a line duplicated. */
function mutate(text: string, seed: number): string {
  const rng = seededRandom(seed);
  const r = () => rng.next();
  const int = (n: number) => Math.floor(r() * n);
  let t = text;
  for (let e = 1 + int(3); e > 0; e--) {
    const at = int(t.length + 1);
    const what = int(5);
    if (what === 0) t = t.slice(0, at) + String.fromCharCode(32 + int(95)) + t.slice(at + 1);
    else if (what === 1) t = t.slice(0, at) + t.slice(at + 1);
    else if (what === 2) t = t.slice(0, at) + ['"', '\t', ' 12', '#', '\n', '{', ' 255 255'][int(7)] + t.slice(at);
    else if (what === 3) t = t.replace(/[ \t]+\S+/, '');
    else {
      const lines = t.split('\n');
      const i = int(lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      t = lines.join('\n');
    }
  }
  return t;
}

test(`label tables: ${CASES} random tables of every format read back exactly`, () => {
  for (let i = 0; i < CASES; i++) {
    const table = randomTable(i);
    const result = parseLabelNames(table.text, table.file);
    assert.equal(result.format, table.format, `case ${i}`);
    assert.deepEqual([...result.entries].sort((a, b) => a[0] - b[0]), [...table.entries].sort((a, b) => a[0] - b[0]), `case ${i}: ${table.text}`);
  }
});

test(`label tables: ${CASES} mutated tables give sane entries or a SyntaxError naming the file and line`, () => {
  const outcomes = { read: 0, refused: 0 };
  for (let i = 0; i < CASES; i++) {
    const table = randomTable(10_000 + i);
    const text = mutate(table.text, 20_000 + i);
    let result;
    try {
      result = parseLabelNames(text, table.file);
    } catch (error) {
      outcomes.refused++;
      assert.ok(error instanceof SyntaxError, `case ${i}: ${(error as Error).name}: ${(error as Error).message}`);
      assert.ok(error.message.startsWith(`${table.file}: `), `case ${i}: ${error.message}`);
      const m = /: line (\d+) is "(.*?)"(?:,|:|$)/s.exec(error.message);
      if (m) assert.equal(text.split(/\r\n|\r|\n/)[Number(m[1]) - 1].trim(), m[2], `case ${i}: the line quoted is not line ${m[1]}`);
      continue;
    }
    outcomes.read++;
    for (const [code, entry] of result.entries) {
      assert.ok(Number.isSafeInteger(code), `case ${i}: code ${code}`);
      assert.ok(entry.name.trim() !== '', `case ${i}: empty name for ${code}`);
      if (entry.rgb) assert.ok(entry.rgb.every((c) => Number.isInteger(c) && c >= 0 && c <= 255), `case ${i}: rgb ${entry.rgb}`);
      // A colour never ends up inside a name: a line-table name never ends in three integers.
      if (result.format === 'freesurfer' || result.format === 'index-name') assert.doesNotMatch(entry.name, /(\s\d+){2}$/, `case ${i}: name "${entry.name}"`);
    }
  }
  // Both outcomes occur, or the mutations test nothing.
  assert.ok(outcomes.read > 20 && outcomes.refused > 20, JSON.stringify(outcomes));
});
