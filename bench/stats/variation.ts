import { mean, sampleStandardDeviation } from 'simple-statistics';

/** Sample standard deviation over mean; null when it is undefined (fewer than 2 values or mean 0). */
export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const average = mean([...values]);
  if (average === 0) return null;
  return sampleStandardDeviation([...values]) / Math.abs(average);
}
