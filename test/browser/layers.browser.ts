/**
 * Models written by nonadj, loaded and run in Chromium by a stock TensorFlow.js (tfjs-core + tfjs-layers +
 * tfjs-backend-cpu, bundled by esbuild for the browser), with nothing of nonadj but its browser entry point
 * `nonadj/layers` (resolved through package.json `exports`, `browser` condition), and giving the outputs they give in
 * Node. A fine-tuned MeshNet (stock layers only) needs not even that, as brainchop loads it. Run with
 * `npm run test:browser` (it builds `dist/` first, which `nonadj/layers` resolves to).
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BrowserContext, Page } from 'playwright-core';
import { initEngine } from '../../src/engine/initEngine.js';
import { makeUNet3d } from '../../src/model/makeUNet3d.js';
import { loadModel, saveModel } from '../../src/model/modelFiles.js';
import { withInputShape } from '../../src/model/withInputShape.js';
import { trainSegmenter } from '../../src/train/trainSegmenter.js';
import { makeAtlasCropDataset } from '../helpers/segmenterFixtures.js';
import { makeTinyMeshNet } from '../helpers/makeTinyMeshNet.js';
import { launchBrowser, ROOT } from './viewHarness.js';

/** What the page returns for one model: its declared input shape and the prediction, or the loading error. */
type PageResult = { ok: true; inputShape: Array<number | null>; shape: number[]; values: number[] } | { ok: false; error: string };

/** The page script: load a model by URL with stock tfjs on the cpu backend, predict one input. */
const PAGE_SCRIPT = (withLayers: boolean) => `
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
${withLayers ? "import 'nonadj/layers';" : ''}
window.predictModel = async (url, shape, data) => {
  await tf.setBackend('cpu');
  await tf.ready();
  try {
    const model = await tfl.loadLayersModel(url);
    const x = tf.tensor(data, shape);
    const y = model.predict(x);
    return { ok: true, inputShape: model.inputs[0].shape, shape: y.shape, values: Array.from(await y.data()) };
  } catch (error) {
    return { ok: false, error: String(error.message) };
  }
};
`;

let tmp: string;
let server: Server;
let base: string;
let context: BrowserContext;
let page: Page;
/** name → the model in Node, its folder under the served root, and an input. */
const models = new Map<string, { model: LayersModel; dir: string; shape: number[] }>();

async function bundle(withLayers: boolean, out: string): Promise<void> {
  const entry = path.join(tmp, `${out}.entry.js`);
  await writeFile(entry, PAGE_SCRIPT(withLayers));
  // platform 'browser': a Node built-in anywhere in the import graph is a build error, not a silent stub.
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    outfile: path.join(tmp, `${out}.js`),
    nodePaths: [path.join(ROOT, 'node_modules')],
    logLevel: 'warning',
  });
}

function input(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

async function inBrowser(script: string, dir: string, x: tf.Tensor): Promise<PageResult> {
  await page.goto(`${base}/${script}.html`);
  return page.evaluate(([url, shape, data]) => (globalThis as unknown as { predictModel: Function }).predictModel(url, shape, data), [
    `${base}/${dir}/model.json`,
    x.shape,
    Array.from(x.dataSync()),
  ] as const) as Promise<PageResult>;
}

function maxGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('nonadj models in a browser with stock TensorFlow.js', { timeout: 600_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'nonadj-layers-browser-'));
    await initEngine({ backend: 'cpu' });
    // 1. Models written by nonadj: a ModSegNet trained two steps on atlas crops (MaxUnpooling2D), a 3D U-Net
    // (UpSampling3D), a brainchop-like MeshNet fine-tuned on 8³ patches, and the shipped demo baseline.
    const ds = await makeAtlasCropDataset();
    const common = { prior: ds.prior, train: ds.exams.slice(0, 4), validation: [], load: ds.load, epochs: 1, stepsPerEpoch: 2, batchSize: 1, lambda: 1, seed: 3 };
    const modsegnet = await trainSegmenter({ ...common, outDir: path.join(tmp, 'run-modsegnet'), architecture: { filters: [4, 8], k: 3 } });
    const mesh = await trainSegmenter({
      ...common,
      outDir: path.join(tmp, 'run-meshnet'),
      init: makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: ds.prior.numLabels }),
      architecture: { kind: '3d', patch: [8, 8, 8] },
    });
    const unet = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 3, filters: [2, 4], seed: 4 });
    await saveModel(unet, path.join(tmp, 'unet3d'), { kind: '3d', classes: [0, 1, 2], inputShape: [8, 8, 8, 1] });
    await cp(path.join(modsegnet.bestDir), path.join(tmp, 'modsegnet'), { recursive: true });
    await cp(path.join(mesh.bestDir), path.join(tmp, 'meshnet'), { recursive: true });
    await cp(path.join(ROOT, 'demo', 'baseline'), path.join(tmp, 'baseline'), { recursive: true });
    models.set('modsegnet', { model: (await loadModel(path.join(tmp, 'modsegnet'))).model, dir: 'modsegnet', shape: [2, 24, 24, 3] });
    models.set('unet3d', { model: (await loadModel(path.join(tmp, 'unet3d'))).model, dir: 'unet3d', shape: [1, 8, 8, 8, 1] });
    // The MeshNet as published (16³), which is what the browser gets from its model.json.
    models.set('meshnet', { model: await withInputShape((await loadModel(path.join(tmp, 'meshnet'))).model, [16, 16, 16, 1]), dir: 'meshnet', shape: [1, 16, 16, 16, 1] });
    models.set('baseline', { model: (await loadModel(path.join(tmp, 'baseline'))).model, dir: 'baseline', shape: [1, 96, 96, 7] });

    // 2. The pages: stock tfjs with and without nonadj/layers.
    await Promise.all([bundle(true, 'with-layers'), bundle(false, 'stock')]);
    for (const name of ['with-layers', 'stock']) {
      await writeFile(path.join(tmp, `${name}.html`), `<!doctype html><meta charset="utf-8"><script src="${name}.js"></script>`);
    }
    server = createServer(async (req, res) => {
      try {
        const file = path.join(tmp, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
        if (!file.startsWith(tmp)) throw new Error('outside');
        const body = await readFile(file);
        const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': type }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await launchBrowser();
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    server?.close();
    for (const { model } of models.values()) model.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  for (const name of ['modsegnet', 'unet3d', 'meshnet', 'baseline']) {
    test(`${name}: loaded with nonadj/layers, the browser predicts what Node predicts`, async () => {
      const { model, dir, shape } = models.get(name)!;
      const x = input(shape, 11);
      // loadModel removes a final softmax (nonadj works on logits); the file keeps it (the demo baseline has one).
      const json = JSON.parse(await readFile(path.join(tmp, dir, 'model.json'), 'utf8'));
      const softmax = json.modelTopology.config.layers.at(-1).config.activation === 'softmax';
      const logits = model.predict(x) as tf.Tensor;
      const expected = (softmax ? tf.softmax(logits) : logits).dataSync();
      const got = await inBrowser('with-layers', dir, x);
      assert.ok(got.ok, `the browser could not load ${name}: ${got.ok ? '' : got.error}`);
      assert.deepEqual(got.shape, [shape[0], ...model.outputs[0].shape.slice(1)]);
      const gap = maxGap(got.values, expected);
      assert.ok(gap < 1e-4, `${name}: largest difference to Node ${gap}`);
      tf.dispose(x);
    });
  }

  test('without nonadj/layers, stock tfjs refuses the custom layers but loads the fine-tuned MeshNet as published', async () => {
    const x = input([1, 16, 16, 16, 1], 12);
    const refused = await inBrowser('stock', 'modsegnet', x);
    assert.ok(!refused.ok && /Unknown layer: MaxUnpooling2D/.test(refused.error), JSON.stringify(refused).slice(0, 300));
    const mesh = models.get('meshnet')!;
    const got = await inBrowser('stock', 'meshnet', x);
    assert.ok(got.ok, got.ok ? '' : got.error);
    assert.deepEqual(got.inputShape, [null, 16, 16, 16, 1], 'the topology declares the published input shape');
    assert.ok(maxGap(got.values, (mesh.model.predict(x) as tf.Tensor).dataSync()) < 1e-4);
    tf.dispose(x);
  });
});
