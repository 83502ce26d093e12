import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sha256File } from './sha256File.js';

test('sha256File: the FIPS 180-2 test vector "abc", and a missing file named', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-sha-'));
  try {
    writeFileSync(path.join(dir, 'abc'), 'abc');
    assert.equal(await sha256File(path.join(dir, 'abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await assert.rejects(sha256File(path.join(dir, 'nope')), /cannot read .*nope: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
