/**
 * `nonadj check --report` in a real browser: the built command over a small cohort made from the bundled AAL (the
 * atlas, and copies with 1, 2 and 4 pasted islands of forbidden labels, plus an unreadable file), the page opened from
 * disk in headless system Chromium with every non-file request aborted. Run with `npm run test:browser`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { pasteIslands } from '../../src/synth/pasteIslands.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { DATA, launchBrowser, makeIslandFixture, ROOT, type IslandFixture } from './viewHarness.js';

let context: BrowserContext;
let fixture: IslandFixture;
let report: string;
let cases: string[];

describe('nonadj check --report in Chromium', () => {
  before(async () => {
    [context, fixture] = await Promise.all([launchBrowser(), makeIslandFixture(4, 11)]);
    const atlas = await readNiftiFile(DATA.atlas, { expect: '3d' });
    const prior = await AdjacencyPrior.read(fixture.prior);
    const hosts = prior.labels.filter((c) => c > 0);
    const dir = path.join(fixture.dir, 'cohort');
    const file = (name: string) => path.join(dir, name);
    await mkdir(dir);
    await writeNiftiFile(file('sub-a.nii.gz'), pasteIslands(atlas, { count: 1, prior, seed: 3, hosts }).volume, { kind: 'labels' });
    await copyFile(DATA.atlas, file('sub-b.nii.gz'));
    await copyFile(fixture.seg, file('sub-c.nii.gz'));
    await writeNiftiFile(file('sub-d.nii.gz'), pasteIslands(atlas, { count: 2, prior, seed: 5, hosts }).volume, { kind: 'labels' });
    await writeFile(file('sub-e.nii.gz'), 'not NIfTI');
    cases = ['sub-a', 'sub-b', 'sub-c', 'sub-d', 'sub-e'].map((c) => file(`${c}.nii.gz`));
    report = path.join(fixture.dir, 'qc.html');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), 'check', dir, '--prior', fixture.prior, '--names', DATA.names, '--keep-going', '--report', report, '-q'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 2, run.stderr); // sub-e is not NIfTI
  });
  after(async () => {
    await context?.close();
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  test('opens offline, ranks the cases by forbidden contacts, draws the heatmap and every thumbnail', { timeout: 120_000 }, async () => {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort('internetdisconnected');
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      // A Content-Security-Policy violation (something the page tried to load) is logged as a console error.
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });

      // Islands of 386 contacts each (a 3-voxel cube in a 26-neighbourhood): 4, 2, 1, then the atlas itself.
      const ranking = await page.locator('#ranking tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent!.trim())));
      assert.deepEqual(ranking, [
        ['1', cases[2], '1544', '4'],
        ['2', cases[3], '772', '2'],
        ['3', cases[0], '386', '1'],
        ['4', cases[1], '0', '0'],
      ]);
      assert.equal(await page.locator('#errors tbody tr').count(), 1);
      assert.match((await page.locator('#errors').textContent())!, /sub-e\.nii\.gz.*not NIfTI/);

      // Seven distinct pairs over the cohort, one cell per (pair, case) in the heatmap, drawn with a real size.
      assert.equal(await page.locator('#pairs tbody tr').count(), 7);
      const box = await page.locator('#heatmap svg').boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, JSON.stringify(box));
      assert.equal(await page.locator('#heatmap svg path[aria-roledescription="rect mark"]').count(), 7);

      // One decoded thumbnail per flagged case, each with red contact pixels.
      // Evaluated as text: the tests compile without the DOM library.
      const thumbs = (await page.evaluate(`[...document.querySelectorAll('section.case img')].map((img) => {
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
        let red = 0;
        for (let p = 0; p < d.length; p += 4) if (d[p] > 150 && d[p + 1] < 60 && d[p + 2] < 60) red++;
        return { width: img.naturalWidth, red };
      })`)) as Array<{ width: number; red: number }>;
      assert.equal(thumbs.length, 3);
      for (const t of thumbs) assert.ok(t.width > 0 && t.red > 0, JSON.stringify(t));
      const commands = await page.locator('code.cmd').allTextContents();
      assert.deepEqual(commands, [2, 3, 0].map((i) => `nonadj view ${cases[i]} --seg ${cases[i]} --prior ${fixture.prior} --names ${DATA.names}`));

      assert.deepEqual(problems, []);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), []);
      await page.close();
    } finally {
      await context.unroute('**/*');
    }
  });
});
