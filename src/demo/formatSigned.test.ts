import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSigned } from './formatSigned.js';

test('formatSigned: the sign of the printed value, U+2212 for minus', () => {
  assert.deepEqual(
    [formatSigned(1.234, 2), formatSigned(-85.4, 0), formatSigned(-0.004, 2), formatSigned(0.004, 2), formatSigned(0, 1), formatSigned(-0.005, 1)],
    ['+1.23', '−85', '±0.00', '±0.00', '±0.0', '±0.0'],
  );
});

test('formatSigned: throws on a non-finite value, naming it', () => {
  assert.throws(() => formatSigned(Number.NaN, 2), /formatSigned: value is NaN/);
});
