import { findModel } from '../../../models/catalog.js';
import type { Tensor } from '../../../models/tensor.js';

export const TOKEN = 'test-token';

/** A decoded inference answer (JSON or binary) with plain number arrays. */
export interface Answer {
  status: number;
  version: string | undefined;
  outputs: { name: string; datatype: string; shape: number[]; data: number[] }[];
  error: string | undefined;
}

/** JSON request body for tensors. */
export function jsonBody(inputs: Tensor[]): string {
  return JSON.stringify({ inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(t.data as ArrayLike<number | bigint>, Number) })) });
}

/** Binary-extension request body and its header length. */
export function binaryBody(inputs: Tensor[]): { body: Buffer; headerLength: number } {
  const header = Buffer.from(JSON.stringify({ inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.byteLength } })) }));
  const parts = [header, ...inputs.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
  return { body: Buffer.concat(parts), headerLength: header.byteLength };
}

/** Decodes a binary-extension response. */
function decodeBinary(bytes: Buffer, headerLength: number): Pick<Answer, 'version' | 'outputs'> {
  const header = JSON.parse(bytes.subarray(0, headerLength).toString()) as { model_version: string; outputs: { name: string; datatype: string; shape: number[]; parameters: { binary_data_size: number } }[] };
  let offset = headerLength;
  const outputs = header.outputs.map((o) => {
    const size = o.parameters.binary_data_size;
    const slice = new Uint8Array(bytes.subarray(offset, offset + size)).buffer;
    offset += size;
    const data = o.datatype === 'FP32' ? Array.from(new Float32Array(slice)) : Array.from(new BigInt64Array(slice), Number);
    return { name: o.name, datatype: o.datatype, shape: o.shape, data };
  });
  return { version: header.model_version, outputs };
}

/** Sends a sample inference in JSON or binary and decodes the answer. */
export async function infer(baseUrl: string, model: string, encoding: 'json' | 'binary' = 'json', seed = 3, timeoutMs = 30_000): Promise<Answer> {
  const inputs = findModel(model)!.sampleInputs(seed);
  const url = `${baseUrl}/v2/models/${model}/infer`;
  const signal = AbortSignal.timeout(timeoutMs);
  if (encoding === 'json') {
    const response = await fetch(url, { method: 'POST', body: jsonBody(inputs), headers: { 'content-type': 'application/json' }, signal });
    const body = (await response.json()) as { model_version?: string; outputs?: Answer['outputs']; error?: string };
    return { status: response.status, version: body.model_version, outputs: body.outputs ?? [], error: body.error };
  }
  const { body, headerLength } = binaryBody(inputs);
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) }, signal });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, version: undefined, outputs: [], error: (JSON.parse(bytes.toString()) as { error: string }).error };
  return { status: response.status, ...decodeBinary(bytes, Number(response.headers.get('inference-header-content-length'))), error: undefined };
}

/** POSTs/PUTs/DELETEs JSON to an admin endpoint with the token. */
export async function admin(url: string, method: 'POST' | 'PUT' | 'DELETE' | 'GET', body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method, headers: { 'x-splitbench-token': TOKEN, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
