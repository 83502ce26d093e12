import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { inflate, inflatePrefix } from './inflateNifti.js';

/** A volume-like stream: long runs (compress ~1000×, as background does) and some noise. */
const runsOf = (pieces: ReadonlyArray<{ value: number; length: number }>) => Uint8Array.from(pieces.flatMap(({ value, length }) => Array<number>(length).fill(value)));
const pieces = fc.array(fc.record({ value: fc.integer({ min: 0, max: 255 }), length: fc.integer({ min: 1, max: 20000 }) }), { minLength: 1, maxLength: 40 });

test('inflatePrefix: with `wanted`, the start of what the whole prefix inflates to, at least `wanted` bytes of it', () => {
  fc.assert(
    fc.property(pieces, fc.integer({ min: 1, max: 4096 }), (p, wanted) => {
      const gz = gzipSync(runsOf(p));
      const whole = inflatePrefix(gz, 4096, 'x');
      const head = inflatePrefix(gz, 4096, 'x', 'readNifti', wanted);
      assert.ok(head.length >= Math.min(wanted, whole.length), `${head.length} bytes for ${wanted} wanted of ${whole.length}`);
      assert.deepEqual(head, whole.subarray(0, head.length));
    }),
  );
});

test('inflatePrefix: a 1000× stream stops at a short prefix (256 compressed bytes) when it holds the bytes wanted', () => {
  const gz = gzipSync(new Uint8Array(2 ** 22));
  assert.ok(inflatePrefix(gz, 4096, 'x').length > 2 ** 20);
  assert.ok(inflatePrefix(gz, 4096, 'x', 'readNifti', 540).length < 2 ** 18);
});

test('inflatePrefix: a corrupt stream fails with the same message with or without `wanted`', () => {
  const gz = gzipSync(runsOf([{ value: 3, length: 9000 }, { value: 7, length: 20000 }]));
  const bad = Uint8Array.from(gz);
  bad[3] = 0xff; // reserved flag bits set
  assert.throws(() => inflatePrefix(bad, 4096, 'f.nii.gz'), /readNifti: f\.nii\.gz: corrupt gzip stream/);
  assert.throws(() => inflatePrefix(bad, 4096, 'f.nii.gz', 'readNifti', 540), /readNifti: f\.nii\.gz: corrupt gzip stream/);
});

test('inflate: the same bytes whether or not the size is known, and the same refusal past the limit', () => {
  fc.assert(
    fc.property(pieces, (p) => {
      const raw = Buffer.from(runsOf(p));
      const gz = gzipSync(raw);
      assert.deepEqual(inflate(gz, 2 ** 30, 'x'), raw);
      assert.deepEqual(inflate(gz, raw.length + 10, 'x', raw.length), raw);
      assert.deepEqual(inflate(gz, raw.length + 10, 'x', Math.max(1, raw.length - 5)), raw);
    }),
    { numRuns: 30 },
  );
  const gz = gzipSync(new Uint8Array(100000));
  assert.throws(() => inflate(gz, 50000, 'b.nii.gz', 40000), /b\.nii\.gz: gzip stream inflates to more than 50000 bytes, the header needs 40000/);
});

test('inflate: a header declaring far more than the stream holds is read with a buffer bounded by the stream', () => {
  // 1 kB of zeros: 29 bytes of gzip; declared 1 GiB. The result is the 1 kB (the caller reports it truncated).
  const gz = gzipSync(new Uint8Array(1000));
  const out = inflate(gz, 2 ** 30 + 2 ** 20, 'x', 2 ** 30);
  assert.equal(out.length, 1000);
  assert.ok(out.buffer.byteLength < 2 ** 20, `a buffer of ${out.buffer.byteLength} bytes`);
});
