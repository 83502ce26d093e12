/**
 * `nonadj view` in a real browser: the built command on the bundled atlas with pasted islands, opened in headless
 * system Chromium (WebGL2 on SwiftShader). Run with `npm run test:browser` (it builds first).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  CONTACT_RGB,
  DATA,
  launchBrowser,
  makeIslandFixture,
  openViewer,
  pixelStats,
  READY_TIMEOUT_MS,
  ROOT,
  screenshotPixels,
  startView,
  waitForPixelsOf,
  type IslandFixture,
} from './viewHarness.js';
import { runCli } from '../helpers/runCliSnapshot.js';

const TEST_TIMEOUT = READY_TIMEOUT_MS + 60_000;
let context: BrowserContext;
let fixture: IslandFixture;

/** The rows of the pair table as shown: number, both names, contacts. */
async function tableRows(page: Page): Promise<string[][]> {
  return page.locator('#pairs tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent!.trim())));
}

/** The rows the page must show, from the library's own check of the same files. */
function expectedRows(): string[][] {
  return fixture.check.pairs.map((p, i) => [String(i + 1), p.names[0], p.names[1], p.contacts.toLocaleString('en')]);
}

function assertRendered(stats: { nonBackground: number; colours: number }, what: string): void {
  // A brain in three planes and 3D covers far more than a tenth of the canvas, in hundreds of shades.
  assert.ok(stats.nonBackground > 0.1, `${what}: only ${(stats.nonBackground * 100).toFixed(1)}% of the canvas is drawn`);
  assert.ok(stats.colours > 100, `${what}: only ${stats.colours} colours`);
}

describe('nonadj view in Chromium', () => {
  before(async () => {
    [context, fixture] = await Promise.all([launchBrowser(), makeIslandFixture(4, 11)]);
    // Four islands, each one pair of 386 contacts (a 3-voxel cube in a 26-neighbourhood).
    assert.equal(fixture.check.pairs.length, 4);
    assert.ok(fixture.check.pairs.every((p) => p.contacts === 386));
  });
  after(async () => {
    await context?.close();
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  test('served: volumes rendered, the pair table, a click moves the crosshair, hover names the structure, Ctrl-C stops', { timeout: TEST_TIMEOUT }, async () => {
    const view = await startView([DATA.image, '--seg', fixture.seg, '--prior', fixture.prior, '--names', DATA.names, '--lut', DATA.lut, '--port', '0']);
    try {
      const { page, problems, requests } = await openViewer(context, view.url);
      assertRendered(pixelStats(await screenshotPixels(page, '#gl')), 'served page');
      assert.match((await page.locator('#summary').textContent())!, /^4 forbidden pairs of structures touch, in 1,544 voxel contacts\.$/);
      assert.deepEqual(await tableRows(page), expectedRows());

      // A click on the second row: the crosshair goes to that pair's centroid (the island's centre voxel).
      const pair = fixture.check.pairs[1];
      await page.locator('#pairs tbody tr').nth(1).click();
      const location = page.locator('#location');
      assert.equal(await location.getAttribute('data-voxel'), pair.centroidVoxel.map(Math.round).join(','));
      const mm = (await location.getAttribute('data-mm'))!.split(',').map(Number);
      mm.forEach((v, d) => assert.ok(Math.abs(v - pair.centroidMm[d]) < 0.5, `crosshair ${mm} vs centroid ${pair.centroidMm} mm`));
      assert.equal(await page.locator('#pairs tbody tr').nth(1).getAttribute('aria-selected'), 'true');
      assert.ok((await location.textContent())!.includes(pair.names[1]) || (await location.textContent())!.includes(pair.names[0]));

      // The contact layer is drawn around the crosshair, and hovering it names the pair and the structure.
      const contact = await waitForPixelsOf(page, '#gl', CONTACT_RGB);
      assert.ok(contact.length > 0, 'no voxel of the contact layer is visible after the click');
      // The top row of the 2×2 layout holds 2D slices (the 3D render is bottom right): hover there.
      const [x, y] = contact.reduce((best, p) => (p[1] < best[1] ? p : best));
      await page.locator('#gl').hover({ position: { x, y } });
      const hover = (await page.locator('#hover').textContent())!;
      assert.match(hover, new RegExp(`forbidden contact #2: ${pair.names[0]} – ${pair.names[1]}`));
      assert.ok(hover.includes(pair.names[0]) && /\(\d+\) · forbidden/.test(hover), hover);

      // The heatmap: hovering the cell of the first pair names both structures; a click selects it.
      const first = fixture.check.pairs[0];
      const box = (await page.locator('#heatmap').boundingBox())!;
      const L = 117;
      const [row, col] = first.labels; // AAL codes are the prior's rows here
      const cell = { x: ((col + 0.5) / L) * box.width, y: ((row + 0.5) / L) * box.height };
      await page.locator('#heatmap').hover({ position: cell });
      const tip = (await page.locator('#heatmap-tip').textContent())!;
      assert.ok(tip.startsWith(`${first.names[0]} × ${first.names[1]}`), tip);
      assert.match(tip, /forbidden: never adjacent in the prior/);
      assert.match(tip, /present here: 386 contacts \(row 1/);
      await page.locator('#heatmap').click({ position: cell });
      assert.equal(await location.getAttribute('data-voxel'), first.centroidVoxel.map(Math.round).join(','));
      assert.equal(await page.locator('#pairs tbody tr').nth(0).getAttribute('aria-selected'), 'true');

      assert.deepEqual(problems, []);
      const origin = new URL(view.url).origin;
      assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')), []);
      await page.close();
    } finally {
      const code = await view.stop('SIGINT');
      assert.equal(code, 0, view.stderr());
      assert.match(view.stdout(), /stopped \(SIGINT\)\n$/);
    }
  });

  test('--static: one file that opens offline with the same table', { timeout: TEST_TIMEOUT }, async () => {
    const out = path.join(fixture.dir, 'view.html');
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'nonadj.js'), 'view', DATA.image, '--seg', fixture.seg, '--prior', fixture.prior, '--names', DATA.names, '--lut', DATA.lut, '--static', out],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /written: {2}.*view\.html \(\d+\.\d MB\)/);
    // Offline: every request other than the file itself, data: and blob: fails.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:') ? route.continue() : route.abort('internetdisconnected');
    });
    try {
      const { page, problems, requests } = await openViewer(context, pathToFileURL(out).href);
      assertRendered(pixelStats(await screenshotPixels(page, '#gl')), 'static page');
      assert.deepEqual(await tableRows(page), expectedRows());
      await page.locator('#pairs tbody tr').nth(3).click();
      assert.equal(await page.locator('#location').getAttribute('data-voxel'), fixture.check.pairs[3].centroidVoxel.map(Math.round).join(','));
      assert.deepEqual(problems, []);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:')), []);
      await page.close();
    } finally {
      await context.unroute('**/*');
    }
  });

  test('without --prior: the segmentation with names, no contact layer, no heatmap', { timeout: TEST_TIMEOUT }, async () => {
    const view = await startView([DATA.image, '--seg', DATA.atlas, '--names', DATA.names, '--port', '0']);
    try {
      const { page, problems } = await openViewer(context, view.url);
      assertRendered(pixelStats(await screenshotPixels(page, '#gl')), 'no prior');
      assert.match((await page.locator('#pairs-note').textContent())!, /No prior given \(--prior\)/);
      assert.equal(await page.locator('#heatmap-section').isVisible(), false);
      assert.equal(await page.locator('#show-contacts').isVisible(), false);
      assert.equal(await page.locator('#pairs tbody tr').count(), 0);
      // The crosshair starts at the centre of the grid, in AAL's structures or background: the readout names it.
      assert.match((await page.locator('#location').textContent())!, /voxel \d+, \d+, \d+ · .+ \(\d+\)$/);
      assert.deepEqual(problems, []);
      await page.close();
    } finally {
      assert.equal(await view.stop('SIGTERM'), 0);
    }
  });

  test('an image alone (static): three planes and 3D, nothing else', { timeout: TEST_TIMEOUT }, async () => {
    const out = path.join(fixture.dir, 'image.html');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), 'view', DATA.image, '--static', out], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { page, problems } = await openViewer(context, pathToFileURL(out).href);
    assertRendered(pixelStats(await screenshotPixels(page, '#gl')), 'image only');
    assert.match((await page.locator('#pairs-note').textContent())!, /No segmentation given/);
    assert.equal(await page.locator('#show-seg').isVisible(), false);
    assert.match((await page.locator('#location').textContent())!, /^Crosshair: .* mm · voxel \d+, \d+, \d+$/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('nonadj view: argument and file errors (one line, exit code 2, no server)', () => {
  const cases: Array<[string[], RegExp]> = [
    [['view'], /^nonadj view: missing required argument 'image'\n/],
    [['view', 'no/such.nii.gz'], /^nonadj view: cannot read image no\/such\.nii\.gz: ENOENT\n$/],
    [['view', 'data/ch2.nii.gz', '--port', 'abc'], /^nonadj view: option '--port <n>' argument 'abc' is invalid\. expected a port number 0\.\.65535/],
    [['view', 'data/ch2.nii.gz', '--port', '70000'], /expected a port number 0\.\.65535/],
    [['view', 'data/ch2.nii.gz', '--lut', 'data/aal.nii.txt', '--static', 'x.html'], /^nonadj view: parseMricronLut: data\/aal\.nii\.txt has 2713 bytes, expected 768/],
    [['view', 'data/ch2.nii.gz', '--seg', 'data/aal.nii.gz', '--prior', 'no/graph.json'], /^nonadj view: cannot read prior no\/graph\.json: ENOENT\n$/],
    [['view', 'data/ch2.nii.gz', '--static', 'no/such/dir/x.html'], /^nonadj view: cannot write no\/such\/dir\/x\.html: ENOENT\n$/],
  ];
  for (const [args, stderr] of cases) {
    test(args.join(' '), () => {
      const run = runCli(args);
      assert.equal(run.exitCode, 2, run.stderr);
      assert.match(run.stderr, stderr);
      assert.equal(run.stdout, '');
    });
  }
});
