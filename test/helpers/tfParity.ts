// Helpers for the engine's parity tests: run the same computation on tfjs-backend-wasm (with the
// project's kernels) and on tfjs-backend-cpu (the oracle), with seeded inputs, and compare.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/initEngine.js';

/** The two backends a parity test compares. */
export type ParityBackend = 'wasm' | 'cpu';

/**
 * Initialises both backends (cpu first, so its banner is silenced and its kernels patched; then
 * wasm, which stays active). Safe to call from every test file.
 */
export async function setupParityBackends(): Promise<void> {
  await initEngine({ backend: 'cpu' });
  await initEngine({ backend: 'wasm' });
}

/** Seeded uniform values in [-0.5, 0.5) (mulberry32), as a Float32Array of `shape`'s size. */
export function seededUniform(shape: readonly number[], seed: number): Float32Array {
  let a = seed >>> 0;
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** Runs `fn` with `backend` active and returns its output(s) as Float32Arrays (tensors disposed). */
export async function runOn(backend: ParityBackend, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const arrays = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return arrays;
}

/**
 * Value of `f` at seeded inputs of `shapes`, then the gradient of `f` w.r.t. every input
 * (`tf.grads`), on `backend`: `[value, dInput0, dInput1, …]`.
 */
export async function valueAndGrads(
  backend: ParityBackend,
  shapes: readonly number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  seed = 1,
): Promise<Float32Array[]> {
  return runOn(backend, () => {
    const xs = shapes.map((s, i) => tf.tensor(seededUniform(s, seed + i), s));
    const g = tf.grads((...args: tf.Tensor[]) => f(...args));
    return [f(...xs), ...g(xs)];
  });
}

/** Max |a − b| / max(max|b|, floor): the relative error of `a` against the reference `b`. */
export function relativeError(a: Float32Array, b: Float32Array, floor = 1e-6): number {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

/** Asserts every array of `actual` is within `rtol` (relative to the largest reference value) of `expected`. */
export function assertAllClose(actual: Float32Array[], expected: Float32Array[], rtol = 1e-4, label = ''): void {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} outputs vs ${expected.length}`);
  actual.forEach((a, i) => {
    const err = relativeError(a, expected[i]);
    assert.ok(err <= rtol, `${label}: output ${i} relative error ${err.toExponential(2)} > ${rtol}`);
  });
}

/**
 * Asserts `f`'s value and input gradients agree on wasm and cpu at seeded inputs.
 * `f` should reduce to a scalar with non-uniform weights (see {@link weightedSum}) so every
 * output element matters.
 */
export async function assertGradParity(
  shapes: readonly number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  label: string,
  rtol = 1e-4,
): Promise<void> {
  const onCpu = await valueAndGrads('cpu', shapes, f);
  const onWasm = await valueAndGrads('wasm', shapes, f);
  assertAllClose(onWasm, onCpu, rtol, label);
}

/** Σ t ⊙ w with seeded weights w of t's shape: a scalar whose gradient w.r.t. t is w. */
export function weightedSum(t: tf.Tensor, seed = 99): tf.Tensor {
  return tf.sum(tf.mul(t, tf.tensor(seededUniform(t.shape, seed), t.shape)));
}

/** Runs kernel `name` directly on `backend` with seeded float inputs of the given shapes. */
export async function runKernelOn(
  backend: ParityBackend,
  name: string,
  inputs: Record<string, { shape: number[]; values?: Float32Array | Int32Array; dtype?: 'float32' | 'int32' }>,
  attrs: Record<string, unknown>,
  seed = 1,
): Promise<Float32Array> {
  const [out] = await runOn(backend, () => {
    const named: Record<string, tf.Tensor> = {};
    Object.entries(inputs).forEach(([k, spec], i) => {
      named[k] = tf.tensor(spec.values ?? seededUniform(spec.shape, seed + i), spec.shape, spec.dtype ?? 'float32');
    });
    return tf.engine().runKernel(name, named, attrs as tf.NamedAttrMap) as tf.Tensor;
  });
  return out;
}

/** Number of data buffers the active backend holds (catches leaks tf.memory() cannot see). */
export function backendDataIds(): number {
  return (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
}

/** Input spec of {@link assertKernelParity}: a shape, and optionally fixed values and a dtype. */
export interface KernelInputSpec {
  shape: number[];
  values?: Float32Array | Int32Array;
  dtype?: 'float32' | 'int32';
}

/**
 * Runs kernel `name` on wasm and on cpu with the same seeded inputs, asserts the outputs agree within
 * `rtol`, and asserts the wasm call left no data buffer behind. Returns the wasm output.
 */
export async function assertKernelParity(
  name: string,
  inputs: Record<string, KernelInputSpec>,
  attrs: Record<string, unknown>,
  label: string,
  rtol = 1e-4,
): Promise<Float32Array> {
  const expected = await runKernelOn('cpu', name, inputs, attrs);
  await tf.setBackend('wasm');
  const before = backendDataIds();
  const actual = await runKernelOn('wasm', name, inputs, attrs);
  assert.equal(backendDataIds(), before, `${label}: wasm ${name} leaked ${backendDataIds() - before} data buffers`);
  assertAllClose([actual], [expected], rtol, label);
  return actual;
}
