/** Open Inference Protocol datatypes this project serves. */
export type Datatype = 'FP32' | 'INT64';
export const DATATYPES: readonly Datatype[] = ['FP32', 'INT64'];

/** Typed array that carries the data of a tensor of the given datatype. */
export type TensorData = Float32Array | BigInt64Array;

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
  return datatype === 'FP32' ? 4 : 8;
}

/** Allocates an empty typed array for a datatype. */
export function allocateData(datatype: Datatype, length: number): TensorData {
  return datatype === 'FP32' ? new Float32Array(length) : new BigInt64Array(length);
}

/** Size in bytes of a tensor's raw data. */
export function tensorByteLength(tensor: Tensor): number {
  return tensor.data.byteLength;
}
