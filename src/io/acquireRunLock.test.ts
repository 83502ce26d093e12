import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { acquireRunLock } from './acquireRunLock.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-lock-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const here = new URL('./acquireRunLock.ts', import.meta.url).pathname;

/** Try to take the lock from another process; resolves to its stderr ('' when it got the lock). */
function lockFromChild(dir: string): Promise<string> {
  const code = `import(${JSON.stringify(here)}).then((m) => m.acquireRunLock(${JSON.stringify(dir)}, { purpose: 'child' })).then(() => process.exit(0), (e) => { process.stderr.write(e.message); process.exit(3); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d));
  return new Promise((resolve) => child.on('close', () => resolve(err)));
}

test('a second process is refused with the holder pid; after release it gets the lock', async () => {
  const dir = path.join(tmp, 'run');
  const lock = await acquireRunLock(dir, { purpose: 'nonadj train' });
  const refused = await lockFromChild(dir);
  assert.match(refused, new RegExp(`^.*run is in use by process ${process.pid} \\(nonadj train, since .*\\); wait for it to finish`));
  await lock.release();
  assert.equal(existsSync(lock.file), false);
  assert.equal(await lockFromChild(dir), '');
});

test('a stale lock (its process was killed) is taken over', async () => {
  const dir = path.join(tmp, 'stale');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const lock = await acquireRunLock(dir);
  await lock.release();
  writeFileSync(lock.file, JSON.stringify({ pid: dead, host: os.hostname(), purpose: 'nonadj train', started: 'then' }));
  const again = await acquireRunLock(dir);
  assert.equal(JSON.parse(readFileSync(again.file, 'utf8')).pid, process.pid);
  await again.release();
});

test('re-entrant within one process: released when the last holder releases', async () => {
  const dir = path.join(tmp, 'twice');
  const a = await acquireRunLock(dir);
  const b = await acquireRunLock(dir);
  await b.release();
  assert.ok(existsSync(a.file));
  await a.release();
  assert.equal(existsSync(a.file), false);
});
