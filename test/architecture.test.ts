/**
 * Imports point one way, in the order the data flows (STYLE.md): numeric/io → volume → prior → metric → postprocess, synth, view → qc; numeric → stats;
 * engine → loss, data → model → infer → train → demo,
 * and only cli (and the index) may import everything. Nothing imports cli.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/runCliSnapshot.js';

const ALLOWED: Record<string, string[]> = {
  io: ['io'],
  numeric: ['numeric'],
  stats: ['io', 'numeric', 'stats'],
  volume: ['io', 'numeric', 'volume'],
  prior: ['io', 'volume', 'prior'],
  metric: ['io', 'volume', 'prior', 'metric'],
  postprocess: ['io', 'volume', 'prior', 'metric', 'postprocess'],
  synth: ['io', 'numeric', 'volume', 'prior', 'synth'],
  view: ['io', 'volume', 'prior', 'metric', 'view'],
  qc: ['io', 'volume', 'prior', 'metric', 'view', 'qc'],
  engine: ['engine'],
  loss: ['io', 'engine', 'prior', 'volume', 'loss'],
  data: ['io', 'numeric', 'volume', 'prior', 'data'],
  model: ['io', 'engine', 'volume', 'data', 'model'],
  infer: ['io', 'engine', 'volume', 'prior', 'data', 'model', 'infer'],
  train: ['io', 'numeric', 'engine', 'loss', 'prior', 'metric', 'volume', 'data', 'model', 'infer', 'train'],
  demo: ['io', 'numeric', 'stats', 'volume', 'prior', 'metric', 'postprocess', 'synth', 'view', 'engine', 'loss', 'data', 'model', 'infer', 'train', 'demo'],
  cli: ['io', 'numeric', 'stats', 'volume', 'prior', 'metric', 'postprocess', 'synth', 'engine', 'loss', 'data', 'model', 'infer', 'train', 'view', 'qc', 'demo', 'cli'],
};

/**
 * Tests may also use the fixture generators (synth/), the metric as an oracle, and the data pipeline that consumes
 * synthetic subjects: checking a unit against them does not make the unit depend on them.
 */
const TEST_EXTRA = ['synth', 'metric', 'data'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

test('imports between src/ folders follow the data flow', () => {
  const src = path.join(ROOT, 'src');
  const problems: string[] = [];
  for (const file of sourceFiles(src)) {
    const rel = path.relative(src, file);
    const folder = rel.includes(path.sep) ? rel.split(path.sep)[0] : null;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.relative(src, path.resolve(path.dirname(file), m[1]));
      if (target.startsWith('..')) {
        if (!file.endsWith('.test.ts')) problems.push(`${rel} imports ${m[1]}, outside src/`);
        continue;
      }
      const targetFolder = target.split(path.sep)[0];
      if (folder === null) {
        if (targetFolder === 'cli') problems.push(`${rel} imports ${m[1]}: nothing outside cli/ imports cli/`);
        continue;
      }
      const allowed = ALLOWED[folder];
      assert.ok(allowed, `src/${folder}/ is not in the architecture table of this test`);
      if (!allowed.includes(targetFolder) && !(file.endsWith('.test.ts') && TEST_EXTRA.includes(targetFolder))) problems.push(`${rel} imports ${m[1]} (${folder}/ may import ${allowed.join(', ')})`);
    }
  }
  assert.deepEqual(problems, []);
});
