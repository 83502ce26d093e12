import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeFolderAtomic } from './writeFolderAtomic.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-folder-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A pid that surely belongs to no process: one that has just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

test('the new content replaces the old one as a whole; a failing fill leaves the old one and no temporary folder', async () => {
  const dir = path.join(tmp, 'a');
  await writeFolderAtomic(dir, async (t) => writeFileSync(path.join(t, 'x'), 'old'));
  await writeFolderAtomic(dir, async (t) => writeFileSync(path.join(t, 'y'), 'new'));
  assert.deepEqual(readdirSync(dir), ['y']);
  await assert.rejects(
    writeFolderAtomic(dir, async (t) => {
      writeFileSync(path.join(t, 'y'), 'half');
      throw new Error('ENOSPC');
    }),
    /^Error: cannot write .*a: ENOSPC$/,
  );
  assert.equal(readFileSync(path.join(dir, 'y'), 'utf8'), 'new');
  assert.deepEqual(readdirSync(tmp).filter((f) => f.includes('.tmp-')), []);
});

test('temporary folders of dead processes are removed, those of live ones are kept', async () => {
  const dir = path.join(tmp, 'b');
  const stale = `${dir}.tmp-${deadPid()}-0123456789ab`;
  const legacy = `${dir}.tmp-0123456789ab`;
  const live = `${dir}.tmp-${process.pid}-aaaaaaaaaaaa`;
  for (const d of [stale, legacy, live]) mkdirSync(d);
  await writeFolderAtomic(dir, async () => undefined);
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(legacy), false);
  assert.equal(existsSync(live), true);
});

test('a crash between the two renames (only <dir>.old left) is undone before writing', async () => {
  const dir = path.join(tmp, 'c');
  await writeFolderAtomic(dir, async (t) => writeFileSync(path.join(t, 'x'), 'old'));
  renameSync(dir, `${dir}.old`);
  let sawOld = false;
  await writeFolderAtomic(dir, async () => {
    sawOld = existsSync(path.join(dir, 'x'));
  });
  assert.ok(sawOld, 'the old folder was put back before the fill');
  assert.equal(existsSync(`${dir}.old`), false);
});
