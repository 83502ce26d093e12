/**
 * Training checkpoints: a folder holding the model (`model.json` + `weights.bin`, standard tfjs files, see
 * `models/modelFiles.ts`), the optimiser's slots (`optimizer.bin`, float32, the slots of `OptimizerState` one
 * after the other) and `state.json` (everything else a resumed run needs, as JSON).
 *
 * Atomicity (`io/writeFolderAtomic`): a checkpoint is written into a new sibling folder `<dir>.tmp-<pid>-<random>`, then swapped in with two
 * renames (`<dir>` → `<dir>.old`, new → `<dir>`) and the old one removed. A crash leaves either the old or the new
 * checkpoint complete; if it strikes between the two renames, only `<dir>.old` exists, and {@link readCheckpoint}
 * reads it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeFolderAtomic } from '../io/writeFolderAtomic.js';
import { loadModel, saveModel, type ModelMetadata } from '../model/modelFiles.js';
import type { OptimizerState } from './optimizer.js';

/** What a checkpoint holds. `S` is the caller's JSON state. */
export interface Checkpoint<S> {
  model: LayersModel;
  metadata: ModelMetadata;
  optimizer: OptimizerState;
  state: S;
}

const STATE_FILE = 'state.json';
const OPTIMIZER_FILE = 'optimizer.bin';

/**
 * Write a checkpoint folder atomically (see the module comment).
 *
 * @param dir - the checkpoint folder (its parent is created if missing).
 * @throws Error naming the folder when it cannot be written.
 */
export async function writeCheckpoint<S>(dir: string, checkpoint: Checkpoint<S>): Promise<void> {
  await writeFolderAtomic(dir, async (tmp) => {
    await saveModel(checkpoint.model, tmp, checkpoint.metadata);
    const { slots } = checkpoint.optimizer;
    const bytes = new Uint8Array(slots.reduce((n, s) => n + s.byteLength, 0));
    let offset = 0;
    for (const s of slots) {
      bytes.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), offset);
      offset += s.byteLength;
    }
    await fs.writeFile(path.join(tmp, OPTIMIZER_FILE), bytes);
    const optimizer = { kind: checkpoint.optimizer.kind, step: checkpoint.optimizer.step, slotSizes: slots.map((s) => s.length) };
    await fs.writeFile(path.join(tmp, STATE_FILE), JSON.stringify({ optimizer, state: checkpoint.state }) + '\n');
  });
}

/** Path of the complete checkpoint at `dir` (or its `.old` twin after an interrupted swap), or null when none exists. */
export async function findCheckpoint(dir: string): Promise<string | null> {
  for (const candidate of [dir, `${dir}.old`]) {
    const ok = await fs.stat(path.join(candidate, STATE_FILE)).then((s) => s.isFile(), () => false);
    if (ok) return candidate;
  }
  return null;
}

/**
 * Read a checkpoint written by {@link writeCheckpoint}.
 *
 * @throws Error naming the folder when there is no checkpoint, or a file is missing or malformed.
 */
export async function readCheckpoint<S>(dir: string): Promise<Checkpoint<S>> {
  const found = await findCheckpoint(dir);
  if (found === null) throw new Error(`readCheckpoint: no checkpoint in ${dir} (expected ${path.join(dir, STATE_FILE)})`);
  let parsed: { optimizer: { kind: 'sgd' | 'adam'; step: number; slotSizes: number[] }; state: S };
  try {
    parsed = JSON.parse(await fs.readFile(path.join(found, STATE_FILE), 'utf8'));
  } catch (error) {
    throw new Error(`readCheckpoint: ${path.join(found, STATE_FILE)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const bytes = await fs.readFile(path.join(found, OPTIMIZER_FILE));
  const sizes = parsed.optimizer?.slotSizes;
  const total = Array.isArray(sizes) ? sizes.reduce((a, b) => a + b, 0) : -1;
  if (total * 4 !== bytes.byteLength) {
    throw new Error(`readCheckpoint: ${path.join(found, OPTIMIZER_FILE)} has ${bytes.byteLength} bytes, expected ${total * 4} (the slots listed in ${STATE_FILE})`);
  }
  // Copy into an aligned buffer: Buffer pools may start at any byte offset.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const slots: Float32Array[] = [];
  let offset = 0;
  for (const n of sizes) {
    slots.push(all.slice(offset, offset + n));
    offset += n;
  }
  const { model, metadata } = await loadModel(found);
  if (metadata === null) throw new Error(`readCheckpoint: ${found}/model.json has no nonadj metadata`);
  return { model, metadata, optimizer: { kind: parsed.optimizer.kind, step: parsed.optimizer.step, slots }, state: parsed.state };
}

/** Copy a checkpoint folder to `to`, atomically (the copy is swapped in like a written checkpoint). */
export async function copyCheckpoint(from: string, to: string): Promise<void> {
  const found = await findCheckpoint(from);
  if (found === null) throw new Error(`copyCheckpoint: no checkpoint in ${from}`);
  await writeFolderAtomic(to, (tmp) => fs.cp(found, tmp, { recursive: true }));
}
