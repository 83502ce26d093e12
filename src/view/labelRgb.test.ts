import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelRgb } from './labelRgb.js';

test('labelRgb: HSL(0°, 0.65, 0.55) for code 0, and every code a colour of that saturation and lightness', () => {
  // a = 0.65 · min(0.55, 0.45) = 0.2925: r = 255 · (0.55 + a) = 214.8, g = b = 255 · (0.55 − a) = 65.7.
  assert.deepEqual(labelRgb(0), [215, 66, 66]);
  for (const code of [1, 2, 17, 11175, 14175]) {
    const c = labelRgb(code);
    assert.ok(Math.abs((Math.max(...c) + Math.min(...c)) / 2 / 255 - 0.55) < 0.01, `${code}: ${c}`);
  }
  assert.notDeepEqual(labelRgb(1), labelRgb(2));
});
