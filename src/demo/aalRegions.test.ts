import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseLabelNames } from '../prior/parseLabelNames.js';
import { AAL_REGION_NAMES, aalRegionOf, aalRegions } from './aalRegions.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const AAL = parseLabelNames(readFileSync(path.join(ROOT, 'data', 'aal.nii.txt'), 'utf8'), 'aal.nii.txt').entries;

/** One row of the Markdown table in demo/README.md, its structure cells expanded to full AAL stems. */
interface DocRow {
  codes: number[];
  region: string;
  stems: string[];
}

/**
 * The table of the "`--labels regions`" section of demo/README.md, parsed independently of the code. The cells
 * abbreviate a repeated prefix (`Cerebelum_Crus1, _Crus2, _3`): an item starting with `_` takes the first item's
 * text up to its first `_`.
 */
function readmeTable(): DocRow[] {
  const lines = readFileSync(path.join(ROOT, 'demo', 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^##\s+`--labels regions`/.test(l));
  assert.ok(start >= 0, 'demo/README.md has no "## `--labels regions`" section');
  const rows: DocRow[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0].startsWith('code') || /^-+$/.test(cells[0])) continue; // header, separator
    assert.equal(cells.length, 3, `README table row "${line}" has ${cells.length} cells, expected 3`);
    const codes = cells[0].split('/').map((c) => Number(c.trim()));
    assert.ok(codes.every(Number.isInteger), `README table row "${line}": code cell "${cells[0]}"`);
    const items = cells[2].split(',').map((s) => s.trim());
    const prefix = items[0].split('_')[0];
    rows.push({ codes, region: cells[1], stems: items.map((s) => (s.startsWith('_') ? prefix + s : s)) });
  }
  return rows;
}

/** `Frontal_Sup_L` → `['Frontal_Sup', 'L']`; `Vermis_3` → `['Vermis_3', null]`. */
const split = (name: string): [string, 'L' | 'R' | null] => {
  const m = /^(.*)_([LR])$/.exec(name);
  return m ? [m[1], m[2] as 'L' | 'R'] : [name, null];
};

describe('aalRegions', () => {
  test('AAL_REGION_NAMES: background, 12 L/R pairs, vermis (26 labels)', () => {
    assert.equal(AAL_REGION_NAMES.length, 26);
    assert.equal(AAL_REGION_NAMES[0], 'Background');
    assert.equal(AAL_REGION_NAMES[25], 'Vermis');
    for (let c = 1; c <= 24; c++) assert.match(AAL_REGION_NAMES[c], c % 2 === 1 ? /_L$/ : /_R$/, `code ${c}`);
    // Code 2k − 1 and 2k are the two hemispheres of one region.
    for (let c = 1; c <= 23; c += 2) assert.equal(AAL_REGION_NAMES[c].slice(0, -2), AAL_REGION_NAMES[c + 1].slice(0, -2));
    assert.equal(new Set(AAL_REGION_NAMES).size, 26);
  });

  test('every one of the 116 structures of data/aal.nii.txt maps to 1..25, background to 0', () => {
    assert.equal(AAL.size, 116);
    const lut = aalRegions(AAL);
    assert.equal(lut.length, 117); // codes 1..116, index 0 = background
    assert.equal(lut[0], 0);
    const used = new Set<number>();
    for (const [code, { name }] of AAL) {
      assert.ok(lut[code] >= 1 && lut[code] <= 25, `${code} ${name} → ${lut[code]}`);
      assert.equal(lut[code], aalRegionOf(name), name);
      used.add(lut[code]);
    }
    // No region of the table is empty on the real atlas.
    assert.deepEqual([...used].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1));
  });

  test('_L → odd code, _R → even code, named after its side; the vermis → 25', () => {
    let vermis = 0;
    for (const { name } of AAL.values()) {
      const code = aalRegionOf(name);
      const [, side] = split(name);
      if (side === null) {
        assert.match(name, /^Vermis_/);
        assert.equal(code, 25, name);
        vermis++;
      } else {
        assert.equal(code % 2, side === 'L' ? 1 : 0, `${name} → ${code}`);
        assert.ok(AAL_REGION_NAMES[code].endsWith(`_${side}`), `${name} → ${AAL_REGION_NAMES[code]}`);
        // The mirror structure lands in the mirror region.
        const [stem] = split(name);
        assert.equal(aalRegionOf(`${stem}_${side === 'L' ? 'R' : 'L'}`), side === 'L' ? code + 1 : code - 1, name);
      }
    }
    assert.equal(vermis, 8); // Vermis_1_2, _3, _4_5, _6, _7, _8, _9, _10
  });

  test('the table of demo/README.md agrees with the code, region by region', () => {
    const doc = readmeTable();
    assert.equal(doc.length, 13); // 12 paired regions + the vermis
    // Stems of the atlas with the structure names they stand for.
    const atlas = new Map<string, string[]>();
    for (const { name } of AAL.values()) {
      const [stem] = split(name);
      atlas.set(stem, [...(atlas.get(stem) ?? []), name]);
    }
    const documented = new Set<string>();
    for (const row of doc) {
      const paired = row.codes.length === 2;
      if (paired) {
        assert.equal(row.codes[1], row.codes[0] + 1, `README row ${row.region}`);
        assert.equal(AAL_REGION_NAMES[row.codes[0]], `${row.region}_L`);
        assert.equal(AAL_REGION_NAMES[row.codes[1]], `${row.region}_R`);
      } else {
        assert.equal(AAL_REGION_NAMES[row.codes[0]], row.region);
      }
      for (const stem of row.stems) {
        assert.ok(!documented.has(stem), `README lists ${stem} twice`);
        documented.add(stem);
        const names = atlas.get(stem);
        assert.ok(names, `README lists ${stem} (region ${row.region}), which is not a structure of data/aal.nii.txt`);
        for (const name of names) {
          const [, side] = split(name);
          const want = side === 'R' ? row.codes[1] : row.codes[0];
          assert.ok(paired === (side !== null), `README row ${row.region} and ${name} disagree on having sides`);
          assert.equal(aalRegionOf(name), want, `${name}: README says ${want} (${row.region}), code says ${aalRegionOf(name)}`);
        }
      }
    }
    // Every structure of the atlas is in the README's table.
    assert.deepEqual([...atlas.keys()].filter((s) => !documented.has(s)), []);
  });

  test('a name outside the table throws the documented RangeError', () => {
    for (const name of ['Precentral', 'Precentral_X', 'Frontal', 'Brainstem_L', 'Vermis', 'precentral_L', '']) {
      assert.throws(() => aalRegionOf(name), (e: unknown) => e instanceof RangeError && e.message.includes(`"${name}"`) && e.message.startsWith('aalRegionOf:'), name);
    }
    assert.throws(() => aalRegions(new Map([[1, { name: 'Precentral_L' }], [2, { name: 'Left-Hippocampus' }]])), RangeError);
  });

  test('aalRegions ignores the name of code 0 and sizes the table by the largest code', () => {
    const lut = aalRegions(new Map([[0, { name: 'Clear Label' }], [7, { name: 'Thalamus_R' }], [3, { name: 'Vermis_6' }]]));
    // Thalamus is the 11th paired region → 2·11 − 1 = 21 (L), 22 (R).
    assert.deepEqual([...lut], [0, 0, 0, 25, 0, 0, 0, 22]);
    assert.deepEqual([...aalRegions(new Map())], [0]);
  });
});
