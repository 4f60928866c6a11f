import type { PayloadEncoding } from '../../models/catalog.js';
import type { Tensor } from '../../models/tensor.js';
import { toJsonNumbers } from '../../serving/codec/json-codec.js';

/** A ready-to-send inference request: the bytes and headers a client puts on the wire. */
export interface EncodedRequest {
  body: Buffer;
  headers: Record<string, string>;
  encoding: PayloadEncoding;
  /** The model's recorded requests, encoded alike, for load that sends them in turn (absent: the one sample). */
  variants?: { body: Buffer; headers: Record<string, string> }[];
}


/** Encodes an Open Inference Protocol v2 request body, as JSON tensors or with the binary-tensor extension. */
export function encodeInferRequest(inputs: readonly Tensor[], encoding: PayloadEncoding, id?: string): EncodedRequest {
  if (encoding === 'json') {
    const body = { ...(id ? { id } : {}), inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: toJsonNumbers(t) })) };
    return { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' }, encoding };
  }
  const header = Buffer.from(
    JSON.stringify({
      ...(id ? { id } : {}),
      inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.byteLength } })),
    }),
  );
  const chunks = [header, ...inputs.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
  return {
    body: Buffer.concat(chunks),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
    encoding,
  };
}
