import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeFileAtomic } from './writeFileAtomic.js';

describe('writeFileAtomic', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-atomic-'));
  after(() => rm(dir, { recursive: true, force: true }));

  test('writes the bytes and leaves no temporary file', async () => {
    const file = path.join(dir, 'a.txt');
    await writeFileAtomic(file, 'hello');
    assert.equal(await readFile(file, 'utf8'), 'hello');
    assert.deepEqual(await readdir(dir), ['a.txt']);
  });

  test('replaces an existing file whole', async () => {
    const file = path.join(dir, 'b.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(file, new Uint8Array([4]));
    assert.deepEqual([...(await readFile(file))], [4]);
  });

  test('names the file when the folder does not exist, and leaves nothing behind', async () => {
    const file = path.join(dir, 'missing', 'c.txt');
    await assert.rejects(writeFileAtomic(file, 'x'), (e: Error) => e.message.includes(file) && e.message.includes('ENOENT'));
  });
});
