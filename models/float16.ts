import { getFloat16, setFloat16 } from '@petamoriken/float16';

/** IEEE half bits of each number (rounded to nearest), the form onnxruntime-node takes FP16 data in. */
export function toFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const bits = new Uint16Array(values.length);
  const view = new DataView(bits.buffer);
  for (let i = 0; i < values.length; i++) setFloat16(view, i * 2, values[i]!, true);
  return bits;
}

/** The numbers that IEEE half bits stand for. */
export function fromFloat16Bits(bits: Uint16Array): Float64Array {
  const view = new DataView(bits.buffer, bits.byteOffset, bits.byteLength);
  const out = new Float64Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = getFloat16(view, i * 2, true);
  return out;
}
