import { findModel } from '../../../models/catalog.js';
import { binaryBody, jsonBody } from './requests.js';

// The bad-input table: every bad request, the status it must get and what the message must name.
// Shared by the server validation tests and the gateway tests (nginx and Node must answer the same).

const vad = findModel('vad')!;
const tabular = findModel('tabular')!;

/** One bad request and its expected answer (model defaults to tabular). */
export interface BadInputCase {
  name: string;
  model?: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  message: RegExp;
}

/** A valid vad request with one input's JSON changed. */
function vadWith(change: (inputs: Record<string, unknown>[]) => void): string {
  const body = JSON.parse(jsonBody(vad.sampleInputs(1))) as { inputs: Record<string, unknown>[] };
  change(body.inputs);
  return JSON.stringify(body);
}

const features = (data: unknown[]) => JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 32], data }] });

/** Every bad-input case for a server whose --body-limit-bytes is `bodyLimitBytes` (the over-limit body is 64 KiB over it). */
export function badInputCases(bodyLimitBytes: number): BadInputCase[] {
  const good = binaryBody(tabular.sampleInputs(1));
  return [
    { name: 'unknown model', model: 'nope', body: '{}', status: 404, message: /unknown model "nope".*vad, tabular/ },
    { name: 'malformed JSON', body: '{"inputs": [', status: 400, message: /malformed JSON/ },
    { name: 'body not an object', body: '[1,2]', status: 400, message: /JSON object/ },
    { name: 'no inputs array', body: '{"x":1}', status: 400, message: /"inputs" array/ },
    { name: 'missing input', model: 'vad', body: vadWith((inputs) => inputs.splice(2, 1)), status: 400, message: /missing input "h"/ },
    { name: 'unexpected input', model: 'vad', body: vadWith((inputs) => inputs.push({ name: 'extra', datatype: 'FP32', shape: [1], data: [1] })), status: 400, message: /unexpected input "extra".*expects inputs: input, sr, h, c/ },
    { name: 'wrong datatype', model: 'vad', body: vadWith((inputs) => (inputs[1]!.datatype = 'FP32')), status: 400, message: /input "sr": wrong datatype "FP32"; expected "INT64"/ },
    { name: 'wrong rank', body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [32], data: [] }] }), status: 400, message: /wrong rank.*expected rank 2/ },
    { name: 'wrong shape', body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 31], data: [] }] }), status: 400, message: /wrong shape \[1,31\]; expected \[1,32\]/ },
    { name: 'element count mismatch', body: features([1, 2, 3]), status: 400, message: /element count mismatch: got 3 values, shape \[1,32\] needs 32/ },
    { name: 'non-numeric data', body: features([...Array(31).fill(0), 'x']), status: 400, message: /element 31 is "x"; expected a finite FP32 number/ },
    { name: 'non-finite data (null for NaN)', body: features([null, ...Array(31).fill(0)]), status: 400, message: /element 0 is null/ },
    { name: 'FP32 overflow', body: features([1e39, ...Array(31).fill(0)]), status: 400, message: /finite FP32/ },
    { name: 'data not an array', body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 32], data: 'abc' }] }), status: 400, message: /"data" must be an array/ },
    { name: 'unknown output requested', body: JSON.stringify({ ...JSON.parse(features(Array(32).fill(0))), outputs: [{ name: 'nope' }] }), status: 400, message: /unknown output "nope"/ },
    { name: 'binary header length not a number', body: good.body, headers: { 'inference-header-content-length': 'abc' }, status: 400, message: /Inference-Header-Content-Length "abc" is invalid/ },
    { name: 'binary header length past the body', body: good.body, headers: { 'inference-header-content-length': String(good.body.byteLength + 5) }, status: 400, message: /Inference-Header-Content-Length/ },
    { name: 'binary header length cutting the JSON', body: good.body, headers: { 'inference-header-content-length': String(good.headerLength - 3) }, status: 400, message: /malformed JSON in binary request header/ },
    { name: 'binary data shorter than declared', body: good.body.subarray(0, good.body.byteLength - 8), headers: { 'inference-header-content-length': String(good.headerLength) }, status: 400, message: /runs past the body end/ },
    { name: 'binary data with trailing bytes', body: Buffer.concat([good.body, Buffer.alloc(4)]), headers: { 'inference-header-content-length': String(good.headerLength) }, status: 400, message: /4 byte\(s\) after the last tensor/ },
    { name: 'binary NaN', body: Buffer.concat([good.body.subarray(0, good.headerLength), Buffer.from(new Float32Array(32).fill(Number.NaN).buffer)]), headers: { 'inference-header-content-length': String(good.headerLength) }, status: 400, message: /element 0 is NaN; expected finite/ },
    { name: 'body over the limit', body: Buffer.alloc(bodyLimitBytes + 64 * 1024, 32), status: 413, message: new RegExp(`over the limit of ${bodyLimitBytes} bytes.*--body-limit-bytes`) },
  ];
}
