import type { SegmentRun } from '../infer/segmentVolume.js';
import type { InferenceEngine } from '../infer/makeInferenceEngine.js';

/** Result of {@link engineUsed}. */
export interface EngineUsed {
  /** The engine that segmented the image, as the engine line says it: `onnxruntime-node 1.31.1, 2 threads`, `tfjs wasm`. */
  engine: string;
  /**
   * Only when onnxruntime was set up but tfjs ran the image (`SegmentRun.fallback`): the one stderr line saying so,
   * without the command's prefix, e.g. `head.nii.gz ran on tfjs wasm, not onnxruntime-node 1.31.1: one pass on the
   * 197×193×231 box would take an estimated 3.7 GB, over the 2.1 GB allowed (half the RAM)`.
   */
  note?: string;
}

/**
 * The engine that actually segmented an image (`segment`, `adapt`): the set-up engine's description when the run used
 * it, else tfjs on `backend`, with a note saying why onnxruntime went unused — the engine line printed at set-up
 * names the engine asked for, and this is what each image's run records.
 *
 * @param run - `segmentVolume`'s record of the image.
 * @param engine - the engine set up (`makeInferenceEngine`).
 * @param backend - the active tfjs backend (`initEngine`'s).
 * @param name - how the note names the image (its file name).
 */
export function engineUsed(run: SegmentRun, engine: Pick<InferenceEngine, 'kind' | 'description'>, backend: string, name: string): EngineUsed {
  if (run.engine === 'forward' || engine.kind === 'tfjs') return { engine: engine.description };
  const tfjs = `tfjs ${backend}`;
  const asked = engine.description.split(',')[0];
  return { engine: tfjs, note: `${name} ran on ${tfjs}, not ${asked}${run.fallback ? `: ${run.fallback}` : ''}` };
}

/**
 * The summary's engine line of several images: the one engine when all ran on it, else each with its count in order of
 * first use, `onnxruntime-node 1.31.1, 2 threads (3 images); tfjs wasm (1 image)`; empty for no image.
 */
export function summariseEngines(engines: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const e of engines) counts.set(e, (counts.get(e) ?? 0) + 1);
  if (counts.size <= 1) return engines[0] ?? '';
  return [...counts].map(([e, n]) => `${e} (${n} image${n === 1 ? '' : 's'})`).join('; ');
}
