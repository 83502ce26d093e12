import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { minJacobianOf } from './minJacobianOf.js';

type Triple = [number, number, number];

describe('minJacobianOf', () => {
  test('golden values: identity 1, stretch along x by 1.5 → 1.5, a collapse of x → 0, a fold → negative', () => {
    const dims: Triple = [4, 3, 2];
    const n = 24;
    const zero = new Float32Array(n);
    const field = (f: (x: number) => number) => Float32Array.from({ length: n }, (_, v) => f(v % 4));
    assert.equal(minJacobianOf([zero, zero, zero], dims), 1);
    assert.equal(minJacobianOf([field((x) => 0.5 * x), zero, zero], dims), 1.5);
    assert.equal(minJacobianOf([field((x) => -x), zero, zero], dims), 0);
    assert.equal(minJacobianOf([field((x) => -2 * x), zero, zero], dims), -1);
  });
});
