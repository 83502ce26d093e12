import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/runCliSnapshot.js';

const require = createRequire(import.meta.url);
const installed = (() => {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();
const tmp = os.tmpdir();

describe('--backend tensorflow without @tensorflow/tfjs-node', { skip: installed ? '@tensorflow/tfjs-node is installed here' : false }, () => {
  test('train, segment and adapt: one line saying what to install, exit 2, before reading any input', () => {
    const commands: string[][] = [
      ['train', path.join(tmp, 'no-data'), '--prior', path.join(tmp, 'no-prior.json'), '--out', path.join(tmp, 'no-run')],
      ['segment', path.join(tmp, 'no-model'), path.join(tmp, 'no-image.nii.gz'), path.join(tmp, 'no-out.nii.gz')],
      ['adapt', path.join(tmp, 'no-model'), path.join(tmp, 'no-scan.nii.gz'), '--prior', path.join(tmp, 'no-prior.json'), '--out', path.join(tmp, 'no-out')],
    ];
    for (const args of commands) {
      const r = runCli([...args, '--backend', 'tensorflow']);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(
        r.stderr,
        `nonadj ${args[0]}: --backend tensorflow needs @tensorflow/tfjs-node, which is not installed ` +
          '(npm install @tensorflow/tfjs-node@4.22.0; it downloads a native TensorFlow at install time)\n',
      );
      assert.equal(r.stdout, '');
    }
  });
});
