import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, SGD_UPDATE } from '../engine/kernels/optimizerUpdates.js';

/**
 * Optimiser settings (the reference, METHOD.md §6: SGD, momentum 0.9, weight decay 1e-4, poly learning-rate decay).
 *
 * Both update rules are PyTorch's (`torch.optim.SGD` / `torch.optim.Adam`), because the reference is PyTorch:
 * - SGD: `g = ∇ + wd·w`, `v = μ·v + g`, `w ← w − lr·v` (v starts at 0, so the first step is `lr·g`);
 * - Adam: `g = ∇ + wd·w`, `m = β1·m + (1−β1)·g`, `v = β2·v + (1−β2)·g²`,
 *   `w ← w − lr/(1−β1^t) · m / (√v / √(1−β2^t) + ε)`, t = 1, 2, …
 * Weight decay is the coupled L2 term of both PyTorch classes, applied to every trainable weight (biases too).
 */
export interface OptimizerOptions {
  /** `'sgd'` (SGD with momentum, the reference) or `'adam'`. */
  kind: 'sgd' | 'adam';
  /** Initial learning rate. Default: 1e-2 for SGD, 1e-3 for Adam. */
  learningRate?: number;
  /** SGD momentum μ in [0, 1). @default 0.9 */
  momentum?: number;
  /** Coupled L2 weight decay, ≥ 0. @default 1e-4 for SGD (the reference), 0 for Adam */
  weightDecay?: number;
  /** Adam's β1, β2, ε. @default 0.9, 0.999, 1e-8 (PyTorch's) */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * Learning-rate schedule over the whole run: `'poly'`, `lr · (1 − t/T)^power` at step t of T (the reference),
   * or `'constant'`. @default 'poly' for SGD, 'constant' for Adam
   */
  schedule?: 'poly' | 'constant';
  /** Exponent of the poly schedule. @default 0.9 */
  polyPower?: number;
}

/** Every setting of an optimiser, defaults filled in (what a checkpoint records). */
export type ResolvedOptimizerOptions = Required<OptimizerOptions>;

/** The optimiser's state as plain data: step count and one slot array per weight and slot kind. */
export interface OptimizerState {
  kind: 'sgd' | 'adam';
  /** Updates applied so far. */
  step: number;
  /**
   * Slot values, float32, in weight order: SGD `[v_0, v_1, …]`; Adam `[m_0, …, m_{n−1}, v_0, …, v_{n−1}]`.
   * Empty before the first update.
   */
  slots: Float32Array[];
}

/** An optimiser over a fixed list of variables, with explicit, exactly restorable state. */
export interface SegmentationOptimizer {
  readonly options: ResolvedOptimizerOptions;
  /** Updates applied so far. */
  readonly step: number;
  /** The learning rate of update `step` (0-based) of a run of `totalSteps` updates. */
  learningRateAt(step: number, totalSteps: number): number;
  /**
   * Apply one update with the gradients (same order and shapes as the variables) and learning rate `lr`.
   * The gradients are not disposed.
   */
  apply(grads: readonly tf.Tensor[], lr: number): void;
  /** A copy of the state (reads the slots back from the backend). */
  getState(): Promise<OptimizerState>;
  /**
   * Restore a state from {@link getState}: the following updates equal, bit for bit, those the saved optimiser
   * would have made.
   * @throws RangeError when the kind, slot count or slot sizes do not match the variables.
   */
  setState(state: OptimizerState): void;
  /** Free the slots. */
  dispose(): void;
}

/**
 * Fill in the defaults of {@link OptimizerOptions} and check them.
 *
 * @throws RangeError for an unknown kind or an out-of-range number.
 */
export function resolveOptimizerOptions(options: OptimizerOptions): ResolvedOptimizerOptions {
  const kind = options.kind;
  if (kind !== 'sgd' && kind !== 'adam') throw new RangeError(`makeOptimizer: kind is ${String(kind)}, expected 'sgd' or 'adam'`);
  const o: ResolvedOptimizerOptions = {
    kind,
    learningRate: options.learningRate ?? (kind === 'sgd' ? 1e-2 : 1e-3),
    momentum: options.momentum ?? 0.9,
    weightDecay: options.weightDecay ?? (kind === 'sgd' ? 1e-4 : 0),
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-8,
    schedule: options.schedule ?? (kind === 'sgd' ? 'poly' : 'constant'),
    polyPower: options.polyPower ?? 0.9,
  };
  const check = (name: string, v: number, ok: boolean) => {
    if (!ok || !Number.isFinite(v)) throw new RangeError(`makeOptimizer: ${name} is ${v}, out of range`);
  };
  check('learningRate', o.learningRate, o.learningRate > 0);
  check('momentum', o.momentum, o.momentum >= 0 && o.momentum < 1);
  check('weightDecay', o.weightDecay, o.weightDecay >= 0);
  check('beta1', o.beta1, o.beta1 >= 0 && o.beta1 < 1);
  check('beta2', o.beta2, o.beta2 >= 0 && o.beta2 < 1);
  check('epsilon', o.epsilon, o.epsilon > 0);
  check('polyPower', o.polyPower, o.polyPower > 0);
  if (o.schedule !== 'poly' && o.schedule !== 'constant') {
    throw new RangeError(`makeOptimizer: schedule is ${String(o.schedule)}, expected 'poly' or 'constant'`);
  }
  return o;
}

/**
 * Make SGD-with-momentum or Adam over `variables`, with PyTorch's update rules (see {@link OptimizerOptions}).
 *
 * Written here rather than taken from `tf.train` because resuming must be exact: tfjs's Adam keeps `β^t` as a
 * float32 running product but rebuilds it with `pow` in `setWeights`, so a restored Adam differs in the last bit;
 * here `1 − β^t` is computed in float64 from the step count, as PyTorch does, and the whole state is the step
 * count plus the slot arrays.
 *
 * @param variables - the trainable variables, in a fixed order (e.g. `model.trainableWeights.map((w) => w.read())`).
 * @throws RangeError as {@link resolveOptimizerOptions}.
 */
export function makeOptimizer(variables: readonly tf.Variable[], options: OptimizerOptions): SegmentationOptimizer {
  const o = resolveOptimizerOptions(options);
  const slotsPerWeight = o.kind === 'sgd' ? 1 : 2;
  let slots: tf.Variable[] = [];
  let step = 0;
  const ensureSlots = () => {
    if (slots.length > 0) return;
    slots = tf.tidy(() => Array.from({ length: slotsPerWeight }, () => variables.map((v) => tf.variable(tf.zerosLike(v), false))).flat());
  };
  const n = variables.length;

  return {
    options: o,
    get step() {
      return step;
    },
    learningRateAt(t, total) {
      if (o.schedule === 'constant') return o.learningRate;
      return o.learningRate * Math.pow(Math.max(0, 1 - t / Math.max(1, total)), o.polyPower);
    },
    apply(grads, lr) {
      if (grads.length !== n) throw new RangeError(`optimizer.apply: ${grads.length} gradients for ${n} variables`);
      ensureSlots();
      const t = step + 1;
      // Bias corrections in float64, as PyTorch computes them on the host.
      const bc1 = 1 - Math.pow(o.beta1, t);
      const bc2 = 1 - Math.pow(o.beta2, t);
      // The engine's one-loop updates where registered (wasm, cpu): one kernel per weight instead of a dozen.
      const fused = tf.getKernel(o.kind === 'sgd' ? SGD_UPDATE : ADAM_UPDATE, tf.getBackend()) !== undefined;
      for (let i = 0; i < n; i++) {
        if (fused) {
          const w = variables[i];
          if (o.kind === 'sgd') {
            const [nw, nv] = tf.engine().runKernel(SGD_UPDATE, { w, v: slots[i], g: grads[i] }, { lr, momentum: o.momentum, weightDecay: o.weightDecay }) as tf.Tensor[];
            slots[i].assign(nv);
            w.assign(nw);
            tf.dispose([nw, nv]);
          } else {
            const attrs = { lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weightDecay: o.weightDecay, bc1, bc2 };
            const [nw, nm, nv] = tf.engine().runKernel(ADAM_UPDATE, { w, m: slots[i], v: slots[n + i], g: grads[i] }, attrs) as tf.Tensor[];
            slots[i].assign(nm);
            slots[n + i].assign(nv);
            w.assign(nw);
            tf.dispose([nw, nm, nv]);
          }
          continue;
        }
        const w = variables[i];
        tf.tidy(() => {
          const g = o.weightDecay > 0 ? tf.add(grads[i], tf.mul(w, o.weightDecay)) : grads[i];
          if (o.kind === 'sgd') {
            const v = slots[i];
            const nv = tf.add(tf.mul(v, o.momentum), g);
            v.assign(nv);
            w.assign(tf.sub(w, tf.mul(nv, lr)));
          } else {
            const m = slots[i];
            const v = slots[n + i];
            const nm = tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1));
            const nv = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
            m.assign(nm);
            v.assign(nv);
            const denom = tf.add(tf.div(tf.sqrt(nv), Math.sqrt(bc2)), o.epsilon);
            w.assign(tf.sub(w, tf.mul(tf.div(nm, denom), lr / bc1)));
          }
        });
      }
      step = t;
    },
    async getState() {
      const values = await Promise.all(slots.map((s) => s.data() as Promise<Float32Array>));
      return { kind: o.kind, step, slots: values.map((v) => Float32Array.from(v)) };
    },
    setState(state) {
      if (state.kind !== o.kind) throw new RangeError(`optimizer.setState: the state is ${state.kind}'s, this optimiser is ${o.kind}`);
      if (state.slots.length !== 0 && state.slots.length !== slotsPerWeight * n) {
        throw new RangeError(`optimizer.setState: ${state.slots.length} slots, expected ${slotsPerWeight * n} (${slotsPerWeight} per weight × ${n} weights)`);
      }
      state.slots.forEach((s, i) => {
        const v = variables[i % n];
        if (s.length !== v.size) throw new RangeError(`optimizer.setState: slot ${i} has ${s.length} values, weight ${v.name} has ${v.size}`);
      });
      tf.dispose(slots);
      slots = tf.tidy(() => state.slots.map((s, i) => tf.variable(tf.tensor(s, variables[i % n].shape, 'float32'), false)));
      step = state.step;
    },
    dispose() {
      tf.dispose(slots);
      slots = [];
    },
  };
}
