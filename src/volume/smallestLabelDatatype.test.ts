import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { smallestLabelDatatype } from './smallestLabelDatatype.js';

describe('smallestLabelDatatype', () => {
  const table: Array<[number, number, string]> = [
    [0, 0, 'uint8'],
    [0, 255, 'uint8'],
    [0, 256, 'int16'],
    [-1, 0, 'int16'],
    [-32768, 32767, 'int16'],
    [0, 32768, 'uint16'],
    [0, 65535, 'uint16'],
    [0, 65536, 'int32'],
    [-1, 32768, 'int32'], // negative and above int16: only int32 holds both
    [-2147483648, 2147483647, 'int32'],
  ];
  for (const [min, max, expected] of table) {
    test(`${min}..${max} → ${expected}`, () => assert.equal(smallestLabelDatatype(min, max), expected));
  }
  test('MGH\'s candidates (uchar, short, int) skip uint16: 0..32768 is int32 there', () => {
    const mgh = ['uint8', 'int16', 'int32'] as const;
    assert.equal(smallestLabelDatatype(0, 255, mgh), 'uint8');
    assert.equal(smallestLabelDatatype(-1, 255, mgh), 'int16');
    assert.equal(smallestLabelDatatype(0, 32768, mgh), 'int32');
  });
  test('beyond int32, non-integers and inverted ranges are refused', () => {
    assert.throws(() => smallestLabelDatatype(0, 2 ** 31), /smallestLabelDatatype: range 0\.\.2147483648 does not fit in int32, expected labels within -2147483648\.\.2147483647/);
    assert.throws(() => smallestLabelDatatype(0, 1.5), /range 0\.\.1\.5 is not an integer range/);
    assert.throws(() => smallestLabelDatatype(3, 2), /range 3\.\.2 is not an integer range with min ≤ max/);
  });
});
