/**
 * `kill -9` during `extract`'s writes (issue 12, failure 6): the output folder must hold the old complete prior or
 * the new complete prior, never a mix, and the next run must leave no temporary file behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildNifti } from '../helpers/niftiFixtures.js';
import { ROOT, runCli } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-kill-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const FILES = ['graph.json', 'graph.png', 'graph.png.csv'];

/**
 * A 64³ map of `labels` random labels (seeded): a prior of labels² counts, several MB to write. Noise rather than
 * anatomy, which extract refuses as image-like unless told otherwise: the runs pass `--allow-float-labels`.
 */
function labelMap(name: string, labels: number, seed: number): string {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % labels;
  const data = Array.from({ length: 64 ** 3 }, next);
  const file = path.join(tmp, name);
  writeFileSync(file, gzipSync(buildNifti({ dim: [3, 64, 64, 64], datatype: 512, data })));
  return file;
}

/** The three files' hashes, or null when the folder does not hold exactly them. */
function fingerprint(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const names = readdirSync(dir).sort();
  if (names.join() !== FILES.join()) return `files: ${names.join(', ')}`;
  return FILES.map((f) => createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex').slice(0, 12)).join(' ');
}

test('kill -9 at random points of extract: old complete or new complete prior, never a mix; no stale temporaries after', async (t) => {
  const oldInput = labelMap('old.nii.gz', 1200, 1);
  const newInput = labelMap('new.nii.gz', 1500, 2);
  const reference = path.join(tmp, 'reference');
  // The kills are spread over the time a whole run takes on this machine, so that most land in the counting or
  // the writing, whatever the machine's speed.
  const timed = Date.now();
  assert.equal(runCli(['extract', reference, '--files', newInput, '-q', '--threads', '1', '--allow-float-labels']).exitCode, 0);
  const runMs = Date.now() - timed;
  const newPrint = fingerprint(reference);
  const out = path.join(tmp, 'prior');
  const first = runCli(['extract', out, '--files', oldInput, '-q', '--allow-float-labels']);
  assert.equal(first.exitCode, 0, first.stderr);
  const oldPrint = fingerprint(out);
  assert.notEqual(oldPrint, newPrint);

  const start = Date.now();
  const r = mkRandom(7);
  const seen = { old: 0, new: 0 };
  for (let k = 0; k < 8; k++) {
    // Alternate the inputs, so that every write differs from what the folder holds and a mix would show.
    const input = k % 2 === 0 ? newInput : oldInput;
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), 'extract', out, '--files', input, '-q', '--threads', '1', '--allow-float-labels'], { stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, runMs * (0.3 + 0.8 * r())));
    child.kill('SIGKILL');
    await closed;
    // A kill between the swap's two renames leaves only <out>.old, complete: still "the old prior".
    const print = fingerprint(out) ?? fingerprint(`${out}.old`);
    assert.ok(print === oldPrint || print === newPrint, `kill ${k}: the folder holds ${print}`);
    seen[print === oldPrint ? 'old' : 'new']++;
  }
  const last = runCli(['extract', out, '--files', newInput, '-q', '--allow-float-labels']);
  assert.equal(last.exitCode, 0, last.stderr);
  assert.equal(fingerprint(out), newPrint);
  const leftovers = [...readdirSync(tmp).filter((f) => f.startsWith('prior.')), ...readdirSync(out).filter((f) => !FILES.includes(f))];
  assert.deepEqual(leftovers, [], 'stale temporaries');
  assert.ok(Date.now() - start < 120_000);
  t.diagnostic(`a whole run takes ${runMs} ms; kills left the old prior ${seen.old}×, the new one ${seen.new}×`);
});

function mkRandom(seed: number): () => number {
  let a = seed;
  return () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
}
