import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintExitCode } from './lintExitCode.js';

test('lintExitCode: 1 when any file has a forbidden contact, unless no-fail', () => {
  assert.equal(lintExitCode([], 'fail'), 0);
  assert.equal(lintExitCode([0, 0], 'fail'), 0);
  assert.equal(lintExitCode([0, 3], 'fail'), 1);
  assert.equal(lintExitCode([0, 3], 'no-fail'), 0);
});
