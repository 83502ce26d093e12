import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoPreviewFixture, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { renderDemoSummary } from './renderDemoSummary.js';

describe('renderDemoSummary', () => {
  test('replicated: Dice and contacts per test domain, and the CI of the contacts change', () => {
    const lines = renderDemoSummary(demoReportFixture()).split('\n');
    assert.equal(lines[0], 'replicated experiment: means over 2 seeds × the test subjects; intervals from a bootstrap over seeds and subjects');
    // Split on runs of 2+ spaces: the columns.
    const cols = (l: string) => l.trim().split(/ {2,}/);
    assert.deepEqual(cols(lines[1]), ['row', 'Dice test', 'contacts test', 'contacts vs control test (%) [95 % CI]', 'Dice unseen', 'contacts unseen', 'contacts vs control unseen (%) [95 % CI]']);
    assert.deepEqual(cols(lines[2]), ['baseline', '0.800', '39.0', '+30 [+10, +50]', '0.700', '120.0', '+20 [+10, +30]']);
    assert.deepEqual(cols(lines[3]), ['control', '0.820', '30.0', 'reference', '0.720', '100.0', 'reference']);
    assert.deepEqual(cols(lines[5]), ['auto', '0.818', '27.0', 'no detectable difference [−25, +5]', '–', '–', '–']);
    assert.equal(lines.length, 2 + 6 + 1); // title, header, 6 rows, then the final newline's empty string
    assert.equal(lines.at(-1), '');
    // Aligned: every number column ends at the same place on every line.
    const ends = (l: string) => [...l.matchAll(/\S+(?= {2,}|$)/g)].map((m) => m.index! + m[0].length);
    assert.deepEqual(ends(lines[2]).slice(1), ends(lines[3]).slice(1));
  });

  test('a single-seed preview says so first and prints no interval column', () => {
    const lines = renderDemoSummary(demoPreviewFixture()).split('\n');
    assert.match(lines[0], /^SINGLE-SEED PREVIEW \(mode default, seed 1\): not the replicated experiment/);
    assert.deepEqual(lines[1].trim().split(/ {2,}/), ['row', 'Dice test', 'contacts test', 'Dice unseen', 'contacts unseen']);
    assert.deepEqual(lines[3].trim().split(/ {2,}/), ['control', '0.820', '30.0', '0.720', '100.0']);
  });
});
