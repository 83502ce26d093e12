import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

  test('temporary files of dead processes for the same target are removed; live ones and other targets are kept', async () => {
    const sub = await mkdtemp(path.join(dir, 'stale-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = `.d.csv.${dead}-0123456789ab.tmp`;
    const legacy = '.d.csv.0123456789ab.tmp';
    const live = `.d.csv.${process.pid}-aaaaaaaaaaaa.tmp`;
    const other = `.e.csv.${dead}-0123456789ab.tmp`;
    for (const name of [stale, legacy, live, other]) await writeFile(path.join(sub, name), 'x'.repeat(1000));
    await writeFileAtomic(path.join(sub, 'd.csv'), 'new');
    assert.deepEqual((await readdir(sub)).sort(), [live, other, 'd.csv'].sort());
  });
});
