/**
 * The seeded fuzz harness that test/niftiFuzz.test.ts and test/mghFuzz.test.ts share: mutations of a valid file
 * (extreme values in header fields, random bytes, truncation, trailing bytes, gzip wrapping, cut or corrupted gzip
 * streams, a gzip bomb), replayable from the case number, and the checks every outcome must pass (a volume, or one
 * Error naming the file; through the CLI exit 0, 1 or 2 with one line and no stack trace).
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { seededRandom } from '../../src/numeric/seededRandom.js';

/** What a format's fuzz pass mutates. */
export interface FuzzFormat {
  /** A valid file of the format, the start of every case. */
  base: Uint8Array;
  /** Case `i` draws from `seededRandom(seed + i)`. */
  seed: number;
  /** Header fields worth hitting with extreme values: [byte offset, kind]. */
  fields: ReadonlyArray<[number, 'i16' | 'f32' | 'i32']>;
  /** The values written into them. */
  extremes: readonly number[];
  /** Byte order of the header (NIfTI as written: little; MGH: big). */
  littleEndian: boolean;
  /** Chance that an edit is a field set to an extreme (else one random byte). */
  fieldEditChance: number;
  /** Random byte edits hit `bytes[from … from + count − 1]`. */
  byteEdits: { from: number; count: number };
  /**
   * Called after a field and value are drawn; false skips the edit (MGH keeps its version field most of the time, or
   * the file stops being MGH). Draws from `r` count towards the case's sequence.
   */
  keepFieldEdit?: (offset: number, r: () => number) => boolean;
}

/** One mutated file, and a short name of what was done to it (for failure messages). */
export interface FuzzCase {
  bytes: Uint8Array;
  what: string;
}

/** The mutator of a format: case `i` → the same bytes every run. */
export function makeFuzzCases(format: FuzzFormat): (i: number) => FuzzCase {
  return (i: number): FuzzCase => {
    const rng = seededRandom(format.seed + i);
    const r = () => rng.next();
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    let bytes: Uint8Array = format.base.slice();
    const view = new DataView(bytes.buffer);
    const what: string[] = [];
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      if (r() < format.fieldEditChance) {
        const [offset, kind] = pick(format.fields);
        const value = pick(format.extremes);
        if (format.keepFieldEdit && !format.keepFieldEdit(offset, r)) continue;
        if (kind === 'f32') view.setFloat32(offset, value, format.littleEndian);
        else if (kind === 'i16') view.setInt16(offset, Number.isFinite(value) ? value : 0, format.littleEndian);
        else view.setInt32(offset, Number.isFinite(value) ? value : 0, format.littleEndian);
        what.push(`${offset}=${value}`);
      } else {
        const at = format.byteEdits.from + Math.floor(r() * format.byteEdits.count);
        bytes[at] = Math.floor(r() * 256);
        what.push(`byte${at}`);
      }
    }
    const shape = r();
    if (shape < 0.15) {
      bytes = bytes.subarray(0, Math.floor(r() * bytes.length));
      what.push('truncated');
    } else if (shape < 0.25) {
      bytes = Buffer.concat([bytes, Buffer.alloc(Math.floor(r() * 3 * 2 ** 20))]);
      what.push('trailing');
    }
    const wrap = r();
    if (wrap < 0.3) {
      bytes = gzipSync(bytes);
      what.push('gz');
    } else if (wrap < 0.4) {
      const z = gzipSync(bytes);
      bytes = z.subarray(0, Math.max(2, Math.floor(r() * z.length)));
      what.push('gz-cut');
    } else if (wrap < 0.45) {
      const z = Buffer.from(gzipSync(bytes));
      z[10 + Math.floor(r() * (z.length - 10))] ^= 0xff;
      bytes = z;
      what.push('gz-flip');
    } else if (wrap < 0.5) {
      bytes = gzipSync(Buffer.concat([bytes, Buffer.alloc(48 * 2 ** 20)]));
      what.push('gz-bomb');
    }
    return { bytes, what: what.join(',') };
  };
}

/** An in-process refusal must be one line, an Error that is not a TypeError, naming the file. */
export function assertNamedError(error: unknown, source: string, context: string): asserts error is Error {
  assert.ok(error instanceof Error && !(error instanceof TypeError), `${context}: ${String(error)}`);
  assert.ok(error.message.includes(source), `${context}: message does not name the file: ${error.message}`);
  assert.ok(!error.message.includes('\n'), `${context}: one line`);
}

/** Through the built CLI: exit 0, 1 or 2, no stack trace, and on 2 one line naming the file. */
export function assertCliFuzzResult(r: { exitCode: number; stderr: string }, file: string, context: string): void {
  assert.ok([0, 1, 2].includes(r.exitCode), `${context}: exit ${r.exitCode}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |heap out of memory/, `${context}: stack trace`);
  if (r.exitCode === 2) {
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${context}: ${r.stderr}`);
    assert.ok(r.stderr.includes(file), `${context}: ${r.stderr}`);
  }
}

/** Peak memory (array buffers + JS heap) a fuzz pass may reach, far below what any failure of issue 12 took. */
export const FUZZ_MEMORY_BUDGET = 512 * 2 ** 20;

/** The memory a pass has in use now, for its peak: array buffers + JS heap, in bytes. */
export function fuzzMemoryInUse(): number {
  const { arrayBuffers, heapUsed } = process.memoryUsage();
  return arrayBuffers + heapUsed;
}
