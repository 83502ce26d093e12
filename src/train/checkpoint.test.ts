import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { initEngine } from '../engine/initEngine.js';
import { writeFolderAtomic } from '../io/writeFolderAtomic.js';
import { findCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { makeModSegNet } from '../model/makeModSegNet.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-ckpt-'));
before(async () => {
  await initEngine({ backend: 'cpu' });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const metadata = { kind: '2.5d' as const, classes: [0, 1, 2], inputShape: [8, 8, 3], axis: 1 as const, k: 3 };

test('a checkpoint round-trips the model, the optimiser slots and the state; an interrupted swap falls back to .old', async () => {
  const model = makeModSegNet({ inputShape: [8, 8, 3], numClasses: 3, filters: [2], seed: 1 });
  const slots = [Float32Array.from([1.5, -2, 3e-8]), Float32Array.from([7])];
  const dir = path.join(tmp, 'checkpoint');
  await writeCheckpoint(dir, { model, metadata, optimizer: { kind: 'sgd', step: 9, slots }, state: { epoch: 2, note: 'x' } });
  await writeCheckpoint(dir, { model, metadata, optimizer: { kind: 'sgd', step: 10, slots }, state: { epoch: 3, note: 'y' } });
  const back = await readCheckpoint<{ epoch: number; note: string }>(dir);
  assert.deepEqual(back.state, { epoch: 3, note: 'y' });
  assert.deepEqual(back.optimizer, { kind: 'sgd', step: 10, slots });
  back.model.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), model.getWeights()[i].dataSync()));
  assert.deepEqual(back.metadata.classes, [0, 1, 2]);
  back.model.dispose();
  // A crash between the two renames leaves only <dir>.old.
  renameSync(dir, `${dir}.old`);
  assert.equal(await findCheckpoint(dir), `${dir}.old`);
  assert.equal((await readCheckpoint<{ epoch: number }>(dir)).state.epoch, 3);
  model.dispose();
});

test('a failing write leaves the previous folder untouched and no temporary folder', async () => {
  const dir = path.join(tmp, 'folder');
  await writeFolderAtomic(dir, async () => undefined);
  await assert.rejects(writeFolderAtomic(dir, async () => { throw new Error('disk full'); }), /cannot write .*folder/);
  assert.ok(existsSync(dir));
  assert.deepEqual(readdirSync(tmp).filter((f) => f.includes('.tmp-')), []);
  await assert.rejects(readCheckpoint(path.join(tmp, 'none')), /no checkpoint in/);
});
