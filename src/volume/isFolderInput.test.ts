import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { isFolderInput } from './isFolderInput.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nonadj-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('isFolderInput: a folder is true, a file false, a missing path an error naming it and the code', async () => {
  writeFileSync(path.join(root, 'a.nii'), '');
  assert.equal(await isFolderInput(root), true);
  assert.equal(await isFolderInput(path.join(root, 'a.nii')), false);
  await assert.rejects(isFolderInput(path.join(root, 'missing')), (e: Error) => e.message === `cannot read ${path.join(root, 'missing')}: ENOENT`);
});
