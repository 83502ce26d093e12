/** A snapshot of the exported names, so an accidental change to the public API shows up in review. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/runCliSnapshot.js';
import { unexportedSignatureTypes } from './helpers/unexportedSignatureTypes.js';

test('public API names', async () => {
  const api = await import('../src/index.js');
  const names = Object.keys(api).sort().join('\n') + '\n';
  const file = path.join(ROOT, 'test', 'api-names.txt');
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!existsSync(file) && process.env.CI !== 'true')) {
    writeFileSync(file, names);
    return;
  }
  assert.equal(names, readFileSync(file, 'utf8'), 'the exported names changed; if intended, rerun with UPDATE_SNAPSHOTS=1');
});

test('every type an exported signature names is exported too', () => {
  // LayerArgs is tfjs's own layer-constructor argument type (ConstructorParameters of tf.layers.Layer), aliased locally.
  const missing = unexportedSignatureTypes(ROOT, path.join(ROOT, 'src', 'index.ts')).filter((t) => t.name !== 'LayerArgs');
  assert.deepEqual(missing.map((t) => `${t.name} (${t.file}, named by ${t.usedBy})`), []);
});
