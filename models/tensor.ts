/** Open Inference Protocol datatypes this project serves (the protocol's names). */
export const DATATYPES = ['BOOL', 'UINT8', 'INT8', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64'] as const;
export type Datatype = (typeof DATATYPES)[number];

/**
 * Typed array that carries the data of a tensor: BOOL as 0/1 bytes and FP16 as its raw IEEE half
 * bits, the way onnxruntime-node hands them over.
 */
export type TensorData = Uint8Array | Int8Array | Int32Array | BigInt64Array | Uint16Array | Float32Array | Float64Array;

/** How a datatype is stored, named in onnxruntime and written in JSON. */
export interface DatatypeInfo {
  /** Bytes per element on the wire (binary extension) and in memory. */
  bytes: number;
  /** onnxruntime-node's tensor type name. */
  ort: 'bool' | 'uint8' | 'int8' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64';
  /** ONNX TensorProto.DataType code. */
  onnx: number;
  /** JSON form of each element: a boolean, an integer in [min, max], or a float. */
  json: 'bool' | 'integer' | 'float';
  min?: number;
  max?: number;
  allocate(length: number): TensorData;
  /** A typed array over existing bytes (offset aligned to `bytes`). */
  view(buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData;
}

export const DATATYPE_INFO: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: { bytes: 1, ort: 'bool', onnx: 9, json: 'bool', allocate: (n) => new Uint8Array(n), view: (b, o, n) => new Uint8Array(b, o, n) },
  UINT8: { bytes: 1, ort: 'uint8', onnx: 2, json: 'integer', min: 0, max: 255, allocate: (n) => new Uint8Array(n), view: (b, o, n) => new Uint8Array(b, o, n) },
  INT8: { bytes: 1, ort: 'int8', onnx: 3, json: 'integer', min: -128, max: 127, allocate: (n) => new Int8Array(n), view: (b, o, n) => new Int8Array(b, o, n) },
  INT32: { bytes: 4, ort: 'int32', onnx: 6, json: 'integer', min: -(2 ** 31), max: 2 ** 31 - 1, allocate: (n) => new Int32Array(n), view: (b, o, n) => new Int32Array(b, o, n) },
  INT64: { bytes: 8, ort: 'int64', onnx: 7, json: 'integer', min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, allocate: (n) => new BigInt64Array(n), view: (b, o, n) => new BigInt64Array(b, o, n) },
  FP16: { bytes: 2, ort: 'float16', onnx: 10, json: 'float', allocate: (n) => new Uint16Array(n), view: (b, o, n) => new Uint16Array(b, o, n) },
  FP32: { bytes: 4, ort: 'float32', onnx: 1, json: 'float', allocate: (n) => new Float32Array(n), view: (b, o, n) => new Float32Array(b, o, n) },
  FP64: { bytes: 8, ort: 'float64', onnx: 11, json: 'float', allocate: (n) => new Float64Array(n), view: (b, o, n) => new Float64Array(b, o, n) },
};

/** True when a string is one of the served datatypes. */
export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

/** The datatype of an onnxruntime tensor type name, or undefined when it is not served. */
export function datatypeOfOrt(type: string): Datatype | undefined {
  return DATATYPES.find((d) => DATATYPE_INFO[d].ort === type);
}

/** Name, datatype and shape of a model input or output; -1 marks a dynamic dimension. */
export interface TensorSpec {
  name: string;
  datatype: Datatype;
  shape: number[];
}

/** A concrete tensor: the unit passed between codecs, backends and the model runtime. */
export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: TensorData;
}

/** Number of elements a shape holds (a scalar, shape [], holds one). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Bytes per element of a datatype. */
export function bytesPerElement(datatype: Datatype): number {
  return DATATYPE_INFO[datatype].bytes;
}

/** Allocates an empty typed array for a datatype. */
export function allocateData(datatype: Datatype, length: number): TensorData {
  return DATATYPE_INFO[datatype].allocate(length);
}

/** Size in bytes of a tensor's raw data. */
export function tensorByteLength(tensor: Tensor): number {
  return tensor.data.byteLength;
}
