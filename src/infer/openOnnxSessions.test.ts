import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ONNX_RUNTIME_MISSING, openOnnxSessions, type OnnxRuntimeModule, type OpenOnnxSessionsOptions } from './openOnnxSessions.js';

/** A fake runtime whose sessions are named by their bytes' first value; `failOn` refuses that one. */
function fakeRuntime(failOn: number | null, log: string[]): () => Promise<OnnxRuntimeModule> {
  return async () => ({
    InferenceSession: {
      create: async (bytes: Uint8Array) => {
        if (bytes[0] === failOn) throw new Error(`Load model failed: graph ${bytes[0]}\ninternal stack`);
        log.push(`created ${bytes[0]}`);
        return { run: async () => ({}), release: async () => void log.push(`released ${bytes[0]}`) };
      },
    },
    Tensor: class {} as unknown as OnnxRuntimeModule['Tensor'],
    env: { versions: { common: '1.2.3' } },
  });
}

const base = (log: string[], over: Partial<OpenOnnxSessionsOptions<Uint8Array[]>> = {}): OpenOnnxSessionsOptions<Uint8Array[]> => ({
  engine: 'auto',
  loadRuntime: fakeRuntime(null, log),
  convert: () => [Uint8Array.of(1), Uint8Array.of(2)],
  bytesOf: (g) => g,
  notCovered: [/^toFake: /, 'not covered: '],
  what: 'the graphs of m',
  sessionOptions: {},
  op: 'makeFakeEngine',
  ...over,
});

describe('openOnnxSessions', () => {
  it('opens one session per graph, in order, and names the runtime\'s version', async () => {
    const log: string[] = [];
    const r = await openOnnxSessions(base(log));
    assert.equal(r.kind, 'onnx');
    if (r.kind !== 'onnx') return;
    assert.equal(r.sessions.length, 2);
    assert.equal(r.version, '1.2.3');
    assert.ok(r.setupSeconds >= 0);
    assert.deepEqual(log.sort(), ['created 1', 'created 2']);
  });

  it('auto: each failing step gives tfjs with the reason; onnx: it throws', async () => {
    const log: string[] = [];
    const missing = async (): Promise<OnnxRuntimeModule> => Promise.reject(new Error('Cannot find package'));
    assert.deepEqual(await openOnnxSessions(base(log, { loadRuntime: missing })), { kind: 'tfjs', why: 'onnxruntime-node not installed' });
    await assert.rejects(openOnnxSessions(base(log, { loadRuntime: missing, engine: 'onnx' })), { message: ONNX_RUNTIME_MISSING });

    const uncovered = () => {
      throw new Error('toFake: layer norm (LayerNormalization) is not supported');
    };
    assert.deepEqual(await openOnnxSessions(base(log, { convert: uncovered })), { kind: 'tfjs', why: 'not covered: layer norm (LayerNormalization) is not supported' });
    await assert.rejects(openOnnxSessions(base(log, { convert: uncovered, engine: 'onnx' })), /^Error: toFake: layer norm/);
  });

  it('a session that fails to load: the others are released, the first line of its error is the reason', async () => {
    const log: string[] = [];
    const r = await openOnnxSessions(base(log, { loadRuntime: fakeRuntime(2, log) }));
    assert.deepEqual(r, { kind: 'tfjs', why: 'onnxruntime-node cannot load the graphs of m: Load model failed: graph 2' });
    assert.deepEqual(log, ['created 1', 'released 1']);
    const strict = openOnnxSessions(base([], { loadRuntime: fakeRuntime(2, []), engine: 'onnx' }));
    await assert.rejects(strict, { message: 'makeFakeEngine: onnxruntime-node cannot load the graphs of m: Load model failed: graph 2' });
  });
});
