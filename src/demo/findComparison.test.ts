import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { findComparison } from './findComparison.js';

test('findComparison: the one comparison of a row, domain and metric, or undefined', () => {
  const r = demoReportFixture();
  assert.equal(findComparison(r, 'lambda-1x', 'test', 'dice')?.meanDifference.estimate, -1);
  assert.equal(findComparison(r, 'lambda-1x', 'unseen-test', 'forbiddenContacts')?.meanDifference.estimate, -80);
  assert.equal(findComparison(r, 'semi', 'test', 'hausdorffMaxMm'), undefined);
  assert.equal(findComparison(r, 'control', 'test', 'dice'), undefined);
});
