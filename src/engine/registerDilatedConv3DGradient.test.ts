import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { gradCheck } from '../../test/helpers/gradcheck.js';
import { initEngine } from './initEngine.js';

/** The filter with d − 1 zeros between taps: a dilated convolution is the undilated one with this filter. */
function zeroInserted(filter: tf.Tensor5D, d: [number, number, number]): tf.Tensor5D {
  const [kd, kh, kw, ci, co] = filter.shape;
  const size = [(kd - 1) * d[0] + 1, (kh - 1) * d[1] + 1, (kw - 1) * d[2] + 1];
  const src = filter.arraySync();
  const out = tf.buffer([size[0], size[1], size[2], ci, co]);
  for (let a = 0; a < kd; a++)
    for (let b = 0; b < kh; b++)
      for (let c = 0; c < kw; c++)
        for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out.set(src[a][b][c][i][o], a * d[0], b * d[1], c * d[2], i, o);
  return out.toTensor() as tf.Tensor5D;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`dilated Conv3D gradient (${backend})`, () => {
    const cases: Array<{ d: [number, number, number]; pad: 'same' | 'valid'; k: number }> = [
      { d: [2, 2, 2], pad: 'same', k: 3 },
      { d: [1, 2, 3], pad: 'same', k: 3 },
      { d: [2, 2, 2], pad: 'valid', k: 3 },
      { d: [3, 3, 3], pad: 'same', k: 2 },
    ];
    for (const { d, pad, k } of cases) {
      it(`dilations ${d.join('×')}, '${pad}', ${k}³ filter: equals the undilated gradient with zeros inserted; finite differences agree`, async () => {
        await initEngine({ backend });
        const x = tf.randomNormal([2, 7, 8, 9, 2], 0, 1, 'float32', 1) as tf.Tensor5D;
        const w = tf.randomNormal([k, k, k, 2, 3], 0, 1, 'float32', 2) as tf.Tensor5D;
        const probe = tf.randomNormal(tf.conv3d(x, w, 1, pad, 'NDHWC', d).shape, 0, 1, 'float32', 3);
        const loss = (xx: tf.Tensor, ww: tf.Tensor, dil: [number, number, number]) =>
          tf.sum(tf.mul(tf.conv3d(xx as tf.Tensor5D, ww as tf.Tensor5D, 1, pad, 'NDHWC', dil), probe)) as tf.Scalar;
        const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => loss(xx, ww, d))([x, w]);
        const wz = zeroInserted(w, d);
        const [rx, rwz] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => loss(xx, ww, [1, 1, 1]))([x, wz]);
        const rw = tf.stridedSlice(rwz, [0, 0, 0, 0, 0], rwz.shape, [d[0], d[1], d[2], 1, 1]);
        const gap = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0];
        assert.ok(gap(gx, rx) < 1e-5, `dx relative gap ${gap(gx, rx)}`);
        assert.ok(gap(gw, rw) < 1e-5, `dW relative gap ${gap(gw, rw)}`);
        gradCheck((xx) => loss(xx, w, d), x, { eps: 1e-2, rtol: 2e-2 });
        gradCheck((ww) => loss(x, ww, d), w, { eps: 1e-2, rtol: 2e-2 });
        tf.dispose([x, w, probe, gx, gw, wz, rx, rwz, rw]);
      });
    }

    it('undilated convolutions keep the stock gradient (a stride-2 case, which the dilated form does not cover)', async () => {
      await initEngine({ backend });
      const x = tf.randomNormal([1, 6, 6, 6, 2], 0, 1, 'float32', 4) as tf.Tensor5D;
      const w = tf.randomNormal([2, 2, 2, 2, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
      gradCheck((ww) => tf.sum(tf.square(tf.conv3d(x, ww as tf.Tensor5D, 2, 'valid'))) as tf.Scalar, w, { eps: 1e-2, rtol: 2e-2 });
      tf.dispose([x, w]);
    });
  });
}
