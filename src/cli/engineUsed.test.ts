import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SegmentRun } from '../infer/segmentVolume.js';
import { engineUsed, summariseEngines } from './engineUsed.js';

const onnx = { kind: 'onnx' as const, description: 'onnxruntime-node 1.31.1, 2 threads' };
const tfjs = { kind: 'tfjs' as const, description: 'tfjs wasm (onnxruntime-node not installed)' };
const run = (engine: SegmentRun['engine'], fallback?: string): SegmentRun => ({ path: 'layerwise', intensity: { mode: 'minmax' }, engine, ...(fallback ? { fallback } : {}) });

test('engineUsed: the set-up engine when the run used it; tfjs on the backend, with a note naming the image and why, when onnxruntime went unused', () => {
  assert.deepEqual(engineUsed(run('forward'), onnx, 'wasm', 'a.nii.gz'), { engine: 'onnxruntime-node 1.31.1, 2 threads' });
  assert.deepEqual(engineUsed(run('tfjs'), tfjs, 'wasm', 'a.nii.gz'), { engine: 'tfjs wasm (onnxruntime-node not installed)' });
  assert.deepEqual(engineUsed(run('tfjs', 'one pass on the 24×12×24 grid would take an estimated 323 kB, over the 300 kB allowed'), onnx, 'cpu', 'a.nii.gz'), {
    engine: 'tfjs cpu',
    note: 'a.nii.gz ran on tfjs cpu, not onnxruntime-node 1.31.1: one pass on the 24×12×24 grid would take an estimated 323 kB, over the 300 kB allowed',
  });
});

test('summariseEngines: one engine alone; several with their counts in order of first use', () => {
  assert.equal(summariseEngines([]), '');
  assert.equal(summariseEngines(['tfjs wasm', 'tfjs wasm']), 'tfjs wasm');
  assert.equal(summariseEngines(['onnx, 2 threads', 'tfjs wasm', 'onnx, 2 threads']), 'onnx, 2 threads (2 images); tfjs wasm (1 image)');
});
