/**
 * A hand-written protobuf encoder for the small part of ONNX's `onnx.proto` (https://github.com/onnx/onnx,
 * onnx/onnx.proto, proto2) that {@link toOnnx} writes: a model, its graph, nodes with int / float / ints / string
 * attributes, float and int64 initialisers, and typed graph inputs and outputs. Encoding only (never decoding): varints,
 * length-delimited fields and little-endian raw tensor bytes, about 100 lines, where a protobuf library plus the
 * generated onnx.proto bindings would be a new dependency for a few messages. onnxruntime parses what this writes, and
 * the exporter's tests run every exported model through it.
 *
 * Field numbers used (from onnx.proto):
 * - ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8
 * - OperatorSetIdProto: domain = 1, version = 2
 * - GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12
 * - NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5
 * - AttributeProto: name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20 (AttributeType FLOAT = 1, INT = 2, STRING = 3, INTS = 7)
 * - TensorProto: dims = 1, data_type = 2 (DataType FLOAT = 1, INT64 = 7), name = 8, raw_data = 9
 * - ValueInfoProto: name = 1, type = 2; TypeProto: tensor_type = 1; TypeProto.Tensor: elem_type = 1, shape = 2;
 *   TensorShapeProto: dim = 1; TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
 */

/** An attribute value: a number is an INT when `int` is set in {@link OnnxAttribute}, else a FLOAT. */
export interface OnnxAttribute {
  name: string;
  /** INT (integer `i`), FLOAT (`f`), INTS (`ints`) or STRING (`s`). */
  i?: number;
  f?: number;
  ints?: readonly number[];
  s?: string;
}

/** A graph node (NodeProto): `inputs` may hold `''` for an omitted optional input. */
export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

/** A constant (TensorProto): float32 or int64 values, row-major over `dims`. */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A typed graph input or output (ValueInfoProto): float32, each dimension a size or a symbolic name. */
export interface OnnxValueInfo {
  name: string;
  shape: ReadonlyArray<number | string>;
}

/** The model {@link encodeOnnxModel} writes: one graph in the default ONNX domain at one opset. */
export interface OnnxModel {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

/** Bytes of a protobuf message under construction. */
class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** An unsigned varint (values < 2^53; negative int64 values are not needed here). */
  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`encodeOnnxModel: varint ${value} must be a non-negative safe integer`);
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  /** Wire type 0: a varint field. Negative integers (int64 attributes such as axis −1) as 10-byte two's complement. */
  int(field: number, value: number): this {
    this.varint(field * 8);
    if (value >= 0) {
      this.varint(value);
    } else {
      let v = BigInt.asUintN(64, BigInt(value));
      const out: number[] = [];
      while (v >= 0x80n) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      out.push(Number(v));
      this.push(Uint8Array.from(out));
    }
    return this;
  }

  /** Wire type 5: a 32-bit float field. */
  float(field: number, value: number): this {
    this.varint(field * 8 + 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** Wire type 2: bytes, a string (UTF-8) or an embedded message. */
  bytes(field: number, value: Uint8Array | string | Writer): this {
    const b = typeof value === 'string' ? new TextEncoder().encode(value) : value instanceof Writer ? value.finish() : value;
    this.varint(field * 8 + 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function attribute(a: OnnxAttribute): Writer {
  const w = new Writer().bytes(1, a.name);
  if (a.ints !== undefined) {
    for (const v of a.ints) w.int(8, v);
    return w.int(20, 7);
  }
  if (a.s !== undefined) return w.bytes(4, a.s).int(20, 3);
  if (a.i !== undefined) return w.int(3, a.i).int(20, 2);
  if (a.f !== undefined) return w.float(2, a.f).int(20, 1);
  throw new RangeError(`encodeOnnxModel: attribute ${a.name} has no value`);
}

function node(n: OnnxNode): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.bytes(1, i);
  for (const o of n.outputs) w.bytes(2, o);
  w.bytes(3, n.name).bytes(4, n.opType);
  for (const a of n.attributes ?? []) w.bytes(5, attribute(a));
  return w;
}

function tensor(t: OnnxInitializer): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  // raw_data is little-endian (onnx.proto); so are the typed arrays on every platform Node runs on.
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return w.int(2, t.data instanceof Float32Array ? 1 : 7).bytes(8, t.name).bytes(9, raw);
}

function valueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.bytes(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().bytes(2, d));
  const tensorType = new Writer().int(1, 1).bytes(2, shape);
  return new Writer().bytes(1, v.name).bytes(2, new Writer().bytes(1, tensorType));
}

/**
 * Serialise an ONNX model (ModelProto) to its protobuf bytes, as `onnx.save` would write them.
 *
 * @returns the bytes of a `.onnx` file, which `InferenceSession.create` of onnxruntime takes directly.
 * @throws RangeError for an attribute without a value or a negative dimension.
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const graph = new Writer();
  for (const n of model.nodes) graph.bytes(1, node(n));
  graph.bytes(2, model.graphName);
  for (const t of model.initializers) graph.bytes(5, tensor(t));
  for (const v of model.inputs) graph.bytes(11, valueInfo(v));
  for (const v of model.outputs) graph.bytes(12, valueInfo(v));
  return new Writer()
    .int(1, model.irVersion)
    .bytes(2, model.producerName)
    .bytes(3, model.producerVersion)
    .bytes(7, graph)
    .bytes(8, new Writer().bytes(1, '').int(2, model.opset))
    .finish();
}
