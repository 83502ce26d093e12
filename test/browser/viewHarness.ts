/**
 * What the browser tests of `nonadj view` share: the system Chromium driven by playwright-core (never a downloaded
 * browser), the "atlas with pasted islands" fixture made from the bundled AAL, the built `nonadj view` run as a user
 * runs it, and pixel helpers for screenshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { checkSegmentation, type CheckSegmentationResult } from '../../src/metric/checkSegmentation.js';
import { pasteIslands } from '../../src/synth/pasteIslands.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../../src/prior/countAdjacency.js';
import { parseLabelNames } from '../../src/prior/parseLabelNames.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { ROOT } from '../helpers/runCliSnapshot.js';

export { ROOT };
export const CHROMIUM = '/usr/bin/chromium';
/**
 * Headless, no GPU (WebGL2 then runs on SwiftShader, which NiiVue accepts with no further flag), and nothing that
 * talks to the network on its own.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];
/** Loading three 1 mm volumes takes seconds of software GL; much more on a loaded 2-core machine. */
export const READY_TIMEOUT_MS = 240_000;

export const DATA = {
  image: path.join(ROOT, 'data', 'ch2.nii.gz'),
  atlas: path.join(ROOT, 'data', 'aal.nii.gz'),
  names: path.join(ROOT, 'data', 'aal.nii.txt'),
  lut: path.join(ROOT, 'data', 'aal.nii.lut'),
};

/** Colour of the contact layer in the page (`CONTACT_RGB` of viewer/main.ts). */
export const CONTACT_RGB: [number, number, number] = [255, 45, 85];

/** Start the system Chromium with a fresh profile. */
export async function launchBrowser(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'nonadj-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // playwright passes the fresh profile as --user-data-dir itself.
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 860 },
  });
}

/** The bundled AAL atlas with cubes of forbidden labels pasted in, its prior, and the check the page must show. */
export interface IslandFixture {
  dir: string;
  seg: string;
  prior: string;
  check: CheckSegmentationResult;
}

/**
 * Extract the prior of AAL from AAL itself (so the atlas has no forbidden contact), paste `count` 3-voxel cubes of
 * labels that the prior forbids next to their host, and check the result: each island gives one pair of 386 contacts.
 */
export async function makeIslandFixture(count = 4, seed = 11): Promise<IslandFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-view-'));
  const atlas = await readNiftiFile(DATA.atlas, { expect: '3d' });
  const names = parseLabelNames(await readFile(DATA.names, 'utf8'), DATA.names).entries;
  const { counts, numLabels } = countAdjacency(atlas.data, atlas.dims, { numLabels: 117 });
  const prior = AdjacencyPrior.fromCounts(counts, { names: Array.from({ length: numLabels }, (_, i) => names.get(i)?.name ?? null) });
  const hosts = Array.from({ length: 116 }, (_, i) => i + 1);
  const { volume } = pasteIslands(atlas, { count, prior, seed, hosts });
  const seg = path.join(dir, 'aal-islands.nii.gz');
  const priorFile = path.join(dir, 'graph.json');
  await writeNiftiFile(seg, volume, { kind: 'labels' });
  await writeFile(priorFile, JSON.stringify(prior.toJson()));
  return { dir, seg, prior: priorFile, check: checkSegmentation(volume, prior) };
}

/** A running `nonadj view`. */
export interface ViewProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Send `signal` and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Run the built `bin/nonadj.js view …` and wait for its `serving:` line. */
export function startView(args: string[]): Promise<ViewProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), 'view', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nonadj view did not print its URL in 60 s:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The URL carries the token (`?token=…`); opening it gives the page the cookie its own requests need.
      const m = /serving:\s+(http:\/\/127\.0\.0\.1:\d+\/(?:\?token=[0-9a-f]{32})?)\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          stdout: () => out,
          stderr: () => err,
          stop: (signal = 'SIGINT') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`nonadj view exited with ${code} before serving:\n${out}\n${err}`));
    });
  });
}

/** Open `url` and wait until the page says it is ready; fails with the page's own error message otherwise. */
export async function openViewer(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  // The page sets <body data-ready> to "true" once everything is drawn, or to "error".
  await page.locator('body[data-ready]').waitFor({ state: 'attached', timeout: READY_TIMEOUT_MS });
  const ready = await page.locator('body').getAttribute('data-ready');
  if (ready !== 'true') throw new Error(`the page failed: ${await page.locator('#status').textContent()}`);
  return { page, problems, requests };
}

/** Decoded screenshot of an element. */
export async function screenshotPixels(page: Page, selector: string): Promise<PNG> {
  return PNG.sync.read(await page.locator(selector).screenshot());
}

/** Share of pixels that differ from the top-left one, and the number of distinct colours. */
export function pixelStats(png: PNG): { nonBackground: number; colours: number } {
  const d = png.data;
  const [r0, g0, b0] = [d[0], d[1], d[2]];
  let differ = 0;
  const colours = new Set<number>();
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - r0) + Math.abs(d[i + 1] - g0) + Math.abs(d[i + 2] - b0) > 24) differ++;
    colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  }
  return { nonBackground: differ / (png.width * png.height), colours: colours.size };
}

/**
 * Interior pixels of `rgb` in a screenshot of `selector`, polled until some appear (software GL may still be drawing
 * the frame that shows them) or `timeoutMs` passes; empty if none ever do.
 */
export async function waitForPixelsOf(page: Page, selector: string, rgb: readonly [number, number, number], timeoutMs = 15_000): Promise<Array<[number, number]>> {
  const started = Date.now();
  for (;;) {
    const found = interiorPixelsOf(await screenshotPixels(page, selector), rgb);
    if (found.length > 0 || Date.now() - started > timeoutMs) return found;
    await page.waitForTimeout(250);
  }
}

/**
 * Pixels within `tolerance` (per channel) of `rgb` whose whole 5×5 neighbourhood is too: the inside of drawn voxels,
 * `[x, y]`. The tolerance absorbs the blending of the layers beneath (±25 measured in SwiftShader).
 */
export function interiorPixelsOf(png: PNG, rgb: readonly [number, number, number], tolerance = 40): Array<[number, number]> {
  const { width, height, data } = png;
  const near = (x: number, y: number) => {
    const i = 4 * (y * width + x);
    return Math.abs(data[i] - rgb[0]) <= tolerance && Math.abs(data[i + 1] - rgb[1]) <= tolerance && Math.abs(data[i + 2] - rgb[2]) <= tolerance;
  };
  const out: Array<[number, number]> = [];
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      let all = true;
      for (let dy = -2; dy <= 2 && all; dy++) for (let dx = -2; dx <= 2 && all; dx++) all = near(x + dx, y + dy);
      if (all) out.push([x, y]);
    }
  }
  return out;
}
