import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseLabelNames, type LabelTableFormat } from './parseLabelNames.js';

/** Small hand-written tables, one per format a tool ships, with what they must give: [file, text, format, entries]. */
const TABLES: Array<[string, string, LabelTableFormat, Array<[number, string, [number, number, number]?]>]> = [
  [
    'FreeSurferColorLUT.txt',
    '#$Id: FreeSurferColorLUT.txt\n#No. Label Name:                R   G   B   A\n\n0   Unknown                     0   0   0   0\n17  Left-Hippocampus          220 216  20   0\n11175 ctx_lh_S_temporal_transverse 221 60 60 0\n',
    'freesurfer',
    [[0, 'Unknown', [0, 0, 0]], [17, 'Left-Hippocampus', [220, 216, 20]], [11175, 'ctx_lh_S_temporal_transverse', [221, 60, 60]]],
  ],
  [
    'lut-no-alpha.txt',
    '# index name r g b (no alpha column)\n0 Unknown 0 0 0\n17 Left-Hippocampus 220 216 20\r\n53 Right-Hippocampus 220 216 20\n',
    'freesurfer',
    [[0, 'Unknown', [0, 0, 0]], [17, 'Left-Hippocampus', [220, 216, 20]], [53, 'Right-Hippocampus', [220, 216, 20]]],
  ],
  [
    'labels.label',
    '################################################\n# ITK-SnAP Label Description File\n    0     0    0    0        0  0  0    "Clear Label"\n    1   255    0    0        1  1  1    "Left thalamus"\n   12     0  128  255     0.75  1  0    "Caudate 2"\n',
    'itk-snap',
    [[0, 'Clear Label', [0, 0, 0]], [1, 'Left thalamus', [255, 0, 0]], [12, 'Caudate 2', [0, 128, 255]]],
  ],
  ['aal.nii.txt', '1 Precentral_L 2001\n2 Precentral_R 2002\n116 Vermis_10 9170\n', 'index-name', [[1, 'Precentral_L'], [2, 'Precentral_R'], [116, 'Vermis_10']]],
  ['names.txt', '0\tUnclassified\r\n3 Left Amygdala\n', 'index-name', [[0, 'Unclassified'], [3, 'Left Amygdala']]],
  ['brodmann.txt', '44\tBA 44\n45\tBA 45\n', 'index-name', [[44, 'BA 44'], [45, 'BA 45']]],
  [
    'sub-01_dseg.tsv',
    'index\tname\tabbreviation\tcolor\n0\tBackground\tBG\tn/a\n1\tGray Matter\tGM\t#ff0000\n2\tWhite Matter\tWM\t#00FF80\n',
    'bids-dseg',
    [[0, 'Background'], [1, 'Gray Matter', [255, 0, 0]], [2, 'White Matter', [0, 255, 128]]],
  ],
  ['desc-aseg_dseg.tsv', 'name\tindex\n\nLeft-Thalamus\t10\nRight-Thalamus\t49\n', 'bids-dseg', [[10, 'Left-Thalamus'], [49, 'Right-Thalamus']]],
  [
    'dataset.json',
    JSON.stringify({ channel_names: { 0: 'T1' }, labels: { background: 0, 'left hippocampus': 1, right_hippocampus: 2 }, numTraining: 3, file_ending: '.nii.gz' }),
    'nnunet',
    [[0, 'background'], [1, 'left hippocampus'], [2, 'right_hippocampus']],
  ],
  ['Task04/dataset.json', JSON.stringify({ name: 'Hippocampus', labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' } }), 'nnunet', [[0, 'background'], [1, 'Anterior'], [2, 'Posterior']]],
  [
    'brats/dataset.json',
    JSON.stringify({ labels: { background: 0, whole_tumor: [1, 2, 3], tumor_core: [2, 3], enhancing_tumor: 3 }, regions_class_order: [1, 2, 3] }),
    'nnunet',
    [[0, 'background'], [1, 'whole_tumor'], [2, 'tumor_core'], [3, 'enhancing_tumor']],
  ],
];

describe('parseLabelNames', () => {
  for (const [file, text, format, expected] of TABLES) {
    test(`${file}: ${format}`, () => {
      const result = parseLabelNames(text, file);
      assert.equal(result.format, format);
      assert.deepEqual(
        [...result.entries],
        expected.map(([code, name, rgb]) => [code, rgb ? { name, rgb } : { name }]),
      );
    });
  }

  test('format found by contents when the name says nothing (JSON, tab-separated header)', () => {
    const text = (file: string) => TABLES.find((t) => t[0] === file)![1];
    assert.equal(parseLabelNames(text('dataset.json'), 'labels').format, 'nnunet');
    assert.equal(parseLabelNames(text('sub-01_dseg.tsv'), 'labels.txt').format, 'bids-dseg');
  });

  test('MRIcron index name code (the bundled aal.nii.txt)', async () => {
    const { format, entries } = parseLabelNames(await readFile('data/aal.nii.txt', 'utf8'), 'aal.nii.txt');
    assert.equal(format, 'index-name');
    assert.equal(entries.size, 116);
    assert.deepEqual(entries.get(1), { name: 'Precentral_L' });
    assert.deepEqual(entries.get(116), { name: 'Vermis_10' });
  });

  test('tab-separated with CRLF (the bundled JHU table)', async () => {
    const { entries } = parseLabelNames(await readFile('data/JHU-WhiteMatter-labels-1mm.nii.txt', 'utf8'));
    assert.equal(entries.get(0)?.name, 'Unclassified');
    assert.equal(entries.get(2)?.name, 'Pontine_crossing_tract_(a_part_of_MCP)');
  });

  // Every line that does not have the table's shape is an error naming the file, the line and its text.
  const ERRORS: Array<[string, string, string, RegExp]> = [
    ['a name swallowing two numbers', 'n.txt', '17 Left-Hippocampus 220 216\n', /^n\.txt: line 1 is "17 Left-Hippocampus 220 216": 2 numbers after the name/],
    ['a LUT line without its colour', 'lut.txt', '0 Unknown 0 0 0 0\n17 Left-Hippocampus\n', /^lut\.txt: line 2 is "17 Left-Hippocampus", expected a FreeSurfer LUT entry "index name r g b a"/],
    ['a 5-column line in a 6-column LUT', 'lut.txt', '0 Unknown 0 0 0 0\n17 Left-Hippocampus 220 216 20\n', /^lut\.txt: line 2 is "17 Left-Hippocampus 220 216 20", expected a FreeSurfer LUT entry/],
    ['a LUT name with a space', 'lut.txt', '0 Unknown 0 0 0\n17 Left Hippocampus 220 216 20\n', /^lut\.txt: line 2 is "17 Left Hippocampus 220 216 20"/],
    ['a colour above 255', 'lut.txt', '0 Unknown 0 0 0\n17 Left-Hippocampus 220 999 20\n', /^lut\.txt: line 2 is "17 Left-Hippocampus 220 999 20", expected r g b in 0 … 255/],
    ['a code in a table without codes', 'n.txt', '1 a\n2 Area 44\n', /^n\.txt: line 2 is "2 Area 44", expected an "index name" line like the lines before/],
    ['a number read as a code, making names alike', 'ba.txt', '44 BA 44\n45 BA 45\n', /^ba\.txt: line 2 is "45 BA 45": the name "BA" is also line 1's; if the last number is part of the name, separate index and name by a tab/],
    ['a LUT line after a tab', 'lut.txt', '17\tLeft-Hippocampus 220 216\n', /^lut\.txt: line 1 is "17\tLeft-Hippocampus 220 216": 2 numbers after the name/],
    ['a line of text', 'n.txt', '1 a\nxx\n', /^n\.txt: line 2 is "xx", expected an "index name" line/],
    ['a code given twice', 'n.txt', '1 a\n1 b\n', /^n\.txt: line 2: label 1 is named twice/],
    ['no entries', 'n.txt', '# nothing\n', /^n\.txt: no label entries found/],
    ['a broken ITK-SNAP line', 'l.label', '0 0 0 0 0 0 0 "Clear"\n1 255 0 "Left"\n', /^l\.label: line 2 is "1 255 0 "Left"", expected an ITK-SNAP entry/],
    ['a dseg.tsv without a header', 'x_dseg.tsv', '0\tBackground\n1\tGM\n', /^x_dseg\.tsv: line 1 is "0\tBackground", expected a BIDS dseg\.tsv header/],
    ['a dseg.tsv row short of a column', 'x_dseg.tsv', 'index\tname\tcolor\n1\tGM\n', /^x_dseg\.tsv: line 2 is "1\tGM", expected 3 tab-separated columns/],
    ['a dseg.tsv bad colour', 'x_dseg.tsv', 'index\tname\tcolor\n1\tGM\tred\n', /^x_dseg\.tsv: line 2: color is "red", expected #rrggbb/],
    ['dataset.json without labels', 'dataset.json', '{"name": "x"}', /^dataset\.json: "labels" is missing, expected an object/],
    ['dataset.json not JSON', 'dataset.json', '{"labels": ', /^dataset\.json: not valid JSON/],
    ['dataset.json with a text value', 'dataset.json', '{"labels": {"background": 0, "gm": "one"}}', /^dataset\.json: labels\."gm" is "one", expected a label value/],
    ['dataset.json with two equal smallest regions', 'dataset.json', '{"labels": {"a": [1, 2], "b": [2, 3]}}', /^dataset\.json: label 2 is in "a" and "b", regions of the same size/],
  ];
  for (const [what, file, text, message] of ERRORS) {
    test(`refused: ${what}`, () => {
      assert.throws(() => parseLabelNames(text, file), (e: Error) => e instanceof SyntaxError && message.test(e.message));
    });
  }
});
