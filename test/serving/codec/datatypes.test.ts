import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../models/catalog.js';
import { DATATYPES, DATATYPE_INFO, type Datatype, type Tensor } from '../../../models/tensor.js';
import { toFloat16Bits } from '../../../models/float16.js';
import { encodeInferRequest } from '../../../bench/protocol/encode-request.js';
import { decodeBinaryRequest, encodeBinaryResponse } from '../../../serving/codec/binary-codec.js';
import { decodeJsonRequest, encodeJsonResponse } from '../../../serving/codec/json-codec.js';
import { ServingError } from '../../../serving/backend/backend.js';

// Sample values per datatype, as a client writes them in JSON, including each type's extremes.
const SAMPLES: Record<Datatype, (number | boolean)[]> = {
  BOOL: [true, false, true, true, false, false],
  UINT8: [0, 1, 127, 128, 254, 255],
  INT8: [-128, -1, 0, 1, 100, 127],
  INT32: [-(2 ** 31), -7, 0, 7, 65536, 2 ** 31 - 1],
  INT64: [Number.MIN_SAFE_INTEGER, -3, 0, 3, 2 ** 40, Number.MAX_SAFE_INTEGER],
  FP16: [-65504, -1.5, 0, 0.25, 1024, 65504],
  FP32: [-3.5, -1, 0, 0.5, 2 ** 60, 3.25],
  FP64: [-1e300, -Math.PI, 0, Math.E, 1e-300, 1e300],
};

/** A one-input model spec of a datatype, shape [2, 3]. */
function modelOf(datatype: Datatype): ModelSpec {
  return {
    name: `m-${datatype.toLowerCase()}`, description: '', initialVersion: 1, source: { kind: 'generated', recipe: { kind: 'tabular', features: 1, hidden: 1, seed: 1 } } as unknown as ModelSpec['source'],
    inputs: [{ name: 'x', datatype, shape: [2, 3] }], outputs: [{ name: 'y', datatype, shape: [2, 3] }], sloMs: 10, weightClass: 'light', defaultEncoding: 'json', rateRps: 1, runByDefault: true, sampleInputs: () => [],
  };
}

/** A JSON request body with the given data for the model's one input. */
function jsonBody(datatype: Datatype, data: unknown[]): Buffer {
  return Buffer.from(JSON.stringify({ inputs: [{ name: 'x', datatype, shape: [2, 3], data }] }));
}

/** The ServingError message a decode throws, or null when it decodes. */
function rejection(decode: () => unknown): string | null {
  try {
    decode();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ServingError);
    return (error as ServingError).message;
  }
}

describe('every Open Inference Protocol datatype in both codecs', () => {
  for (const datatype of DATATYPES) {
    it(`${datatype}: JSON in, the right typed array, the same values back out in JSON and binary`, () => {
      const decoded = decodeJsonRequest(modelOf(datatype), jsonBody(datatype, SAMPLES[datatype]));
      const tensor = decoded.inputs[0]!;
      expect(tensor.datatype).toBe(datatype);
      expect(tensor.data.BYTES_PER_ELEMENT).toBe(DATATYPE_INFO[datatype].bytes);
      expect(tensor.data.length).toBe(6);
      const json = JSON.parse(encodeJsonResponse('m', 1, undefined, [{ ...tensor, name: 'y' }])) as { outputs: { datatype: string; data: unknown[] }[] };
      expect(json.outputs[0]!.datatype).toBe(datatype);
      expect(json.outputs[0]!.data).toEqual(SAMPLES[datatype]);

      // The binary extension carries the same bytes both ways.
      const request = encodeInferRequest([tensor], 'binary');
      const binary = decodeBinaryRequest(modelOf(datatype), request.body, request.headers['inference-header-content-length']!);
      expect(Buffer.from(binary.inputs[0]!.data.buffer, binary.inputs[0]!.data.byteOffset, binary.inputs[0]!.data.byteLength)).toEqual(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
      const response = encodeBinaryResponse('m', 1, undefined, [tensor]);
      expect(Buffer.concat(response.chunks.slice(1))).toEqual(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    });
  }

  it('FP16 travels as IEEE half bits: 1.0 is 0x3c00 and values round to the nearest half', () => {
    const tensor = decodeJsonRequest(modelOf('FP16'), jsonBody('FP16', [1, -2, 0.1, 0, 65504, 1 / 3])).inputs[0]!;
    expect(Array.from(tensor.data as Uint16Array).slice(0, 2)).toEqual([0x3c00, 0xc000]);
    const back = (JSON.parse(encodeJsonResponse('m', 1, undefined, [tensor])) as { outputs: { data: number[] }[] }).outputs[0]!.data;
    expect(back[2]).toBeCloseTo(0.1, 3);
    expect(back[5]).toBeCloseTo(1 / 3, 3);
  });

  it('rejects JSON elements outside each datatype, naming the element, the value and the range', () => {
    const six = (bad: unknown, fill: unknown = 0) => [bad, fill, fill, fill, fill, fill];
    expect(rejection(() => decodeJsonRequest(modelOf('INT8'), jsonBody('INT8', six(128))))).toBe('input "x": element 0 is 128; expected an integer from -128 to 127 (INT8)');
    expect(rejection(() => decodeJsonRequest(modelOf('UINT8'), jsonBody('UINT8', six(-1))))).toBe('input "x": element 0 is -1; expected an integer from 0 to 255 (UINT8)');
    expect(rejection(() => decodeJsonRequest(modelOf('INT32'), jsonBody('INT32', six(1.5))))).toMatch(/element 0 is 1\.5; expected an integer from -2147483648 to 2147483647 \(INT32\)/);
    expect(rejection(() => decodeJsonRequest(modelOf('INT64'), jsonBody('INT64', six(2 ** 60))))).toMatch(/expected an integer from -9007199254740991 to 9007199254740991 \(INT64\)/);
    expect(rejection(() => decodeJsonRequest(modelOf('BOOL'), jsonBody('BOOL', six(1, false))))).toBe('input "x": element 0 is 1; expected true or false (BOOL)');
    expect(rejection(() => decodeJsonRequest(modelOf('FP16'), jsonBody('FP16', six(70000))))).toBe('input "x": element 0 is 70000; expected a finite FP16 number');
    expect(rejection(() => decodeJsonRequest(modelOf('FP32'), jsonBody('FP32', six(1e39))))).toBe('input "x": element 0 is 1e+39; expected a finite FP32 number');
    expect(rejection(() => decodeJsonRequest(modelOf('FP64'), jsonBody('FP64', six('1'))))).toBe('input "x": element 0 is "1"; expected a finite FP64 number');
    expect(rejection(() => decodeJsonRequest(modelOf('INT8'), jsonBody('FP32', six(0))))).toMatch(/wrong datatype "FP32"; expected "INT8"/);
  });

  it('rejects binary data a datatype cannot hold: a BOOL byte other than 0 or 1, a non-finite FP16 or FP64', () => {
    const binaryOf = (datatype: Datatype, data: Tensor['data']) => {
      const request = encodeInferRequest([{ name: 'x', datatype, shape: [2, 3], data }], 'binary');
      return rejection(() => decodeBinaryRequest(modelOf(datatype), request.body, request.headers['inference-header-content-length']!));
    };
    expect(binaryOf('BOOL', Uint8Array.from([0, 1, 2, 0, 0, 0]))).toBe('input "x": element 2 is byte 2; expected 0 or 1 (BOOL)');
    expect(binaryOf('FP16', Uint16Array.from([0x3c00, 0x7e00, 0, 0, 0, 0]))).toBe('input "x": element 1 is NaN; expected finite FP16 values');
    expect(binaryOf('FP64', Float64Array.from([0, 0, 0, Infinity, 0, 0]))).toBe('input "x": element 3 is Infinity; expected finite FP64 values');
    expect(binaryOf('INT32', Int32Array.from([1, 2, 3, 4, 5]))).toMatch(/element count mismatch: got 5 values, shape \[2, ?3\] needs 6/);
    expect(binaryOf('FP16', toFloat16Bits([1, 2, 3, 4, 5, 6]))).toBeNull();
  });
});
