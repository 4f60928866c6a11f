import { fromFloat16Bits } from '../../../models/float16.js';
import { DATATYPE_INFO } from '../../../models/tensor.js';
import type { StepOutputs } from './run-cell.js';

/** Outputs match the reference when every element satisfies |a − r| ≤ ABS + REL·|r| (integer and BOOL outputs: exactly). */
export const OUTPUT_TOLERANCE = { abs: 1e-4, rel: 1e-3 } as const;

/** How a step's outputs compare with the reference outputs of the same model and input. */
export interface OutputComparison {
  matches: boolean;
  /** Largest element-wise |a − r| over every output (null when shapes or names differ). */
  maxAbsDiff: number | null;
  reason: string | null;
}

/** The values of an output as numbers (FP16 decoded from its bits). */
function numbersOf(output: StepOutputs): ArrayLike<number | bigint> {
  return output.datatype === 'FP16' ? fromFloat16Bits(output.values as Uint16Array) : output.values;
}

/** Compares outputs with the reference within OUTPUT_TOLERANCE. */
export function compareOutputs(actual: readonly StepOutputs[], reference: readonly StepOutputs[]): OutputComparison {
  if (actual.length !== reference.length) return { matches: false, maxAbsDiff: null, reason: `${actual.length} outputs, reference has ${reference.length}` };
  let maxAbsDiff = 0;
  let matches = true;
  for (const [i, out] of actual.entries()) {
    const ref = reference[i]!;
    if (out.name !== ref.name || out.values.length !== ref.values.length) return { matches: false, maxAbsDiff: null, reason: `output ${out.name} (${out.values.length} values) differs in name or size from the reference ${ref.name} (${ref.values.length})` };
    const [outValues, refValues] = [numbersOf(out), numbersOf(ref)];
    const exact = DATATYPE_INFO[out.datatype].json !== 'float';
    for (let k = 0; k < out.values.length; k++) {
      const a = Number(outValues[k]);
      const r = Number(refValues[k]);
      const diff = Number.isNaN(a) || Number.isNaN(r) ? (Number.isNaN(a) && Number.isNaN(r) ? 0 : Infinity) : Math.abs(a - r);
      if (diff > maxAbsDiff) maxAbsDiff = diff;
      const allowed = exact ? 0 : OUTPUT_TOLERANCE.abs + OUTPUT_TOLERANCE.rel * Math.abs(r);
      if (diff > allowed) matches = false;
    }
  }
  return { matches, maxAbsDiff, reason: matches ? null : `max |difference| ${maxAbsDiff.toExponential(2)} exceeds ${OUTPUT_TOLERANCE.abs} + ${OUTPUT_TOLERANCE.rel}·|reference|` };
}
