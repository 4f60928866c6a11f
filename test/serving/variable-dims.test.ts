import { describe, expect, it } from 'vitest';
import { builtinModels, findModel } from '../../models/catalog.js';
import { validateEnvelope } from '../../serving/validation/validate-inputs.js';

/** A request envelope (data left out: validateEnvelope checks names, datatypes and shapes). */
function envelope(shape: number[]): unknown {
  return { inputs: [{ name: 'x', datatype: 'FP32', shape, data: [] }] };
}

describe('declared variable dimensions', () => {
  const det = findModel('ocr-det')!;
  const rec = findModel('ocr-rec')!;

  it('accepts the probe shapes of the OCR models and their normal shapes', () => {
    expect(validateEnvelope(det, envelope([1, 3, 32, 32])).inputs[0]!.count).toBe(3 * 32 * 32);
    expect(validateEnvelope(det, envelope([1, 3, 320, 320])).inputs[0]!.count).toBe(3 * 320 * 320);
    expect(validateEnvelope(rec, envelope([1, 3, 48, 32])).inputs[0]!.count).toBe(3 * 48 * 32);
  });

  it('rejects a variable dimension that is not a positive multiple, naming the rule', () => {
    expect(() => validateEnvelope(det, envelope([1, 3, 33, 32]))).toThrow(/dimension 2 may vary but must be a positive multiple of 32/);
    expect(() => validateEnvelope(det, envelope([1, 3, 0, 32]))).toThrow(/positive multiple of 32/);
  });

  it('still rejects a fixed dimension that differs, saying which may vary', () => {
    expect(() => validateEnvelope(rec, envelope([1, 3, 32, 32]))).toThrow(/wrong shape \[1,3,32,32\]; expected \[1,3,48,320\] \(dimensions 3 may vary\)/);
    expect(() => validateEnvelope(findModel('ocr-cls')!, envelope([1, 3, 32, 32]))).toThrow(/wrong shape \[1,3,32,32\]; expected \[1,3,48,192\] \(dimensions 3 may vary\)/);
    expect(() => validateEnvelope(findModel('vad')!, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 256], data: [] }] })).toThrow(/wrong shape \[1,256\]; expected \[1,512\]$/);
  });

  it('gives every model a probe input its own validation accepts', () => {
    for (const model of builtinModels()) {
      const inputs = (model.probeInputs ?? model.sampleInputs)(1);
      const body = { inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: [] })) };
      expect(() => validateEnvelope(model, body), model.name).not.toThrow();
    }
  });
});
