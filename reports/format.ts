/** Formatting of numbers and missing values shared by every renderer. */

/** The mark a missing value renders as. */
export const DASH = '—';

/** Formats a number with about three significant digits, keeping integers whole. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value) && magnitude < 1000) return String(value);
  return Number(value.toPrecision(digits)).toString();
}

/** Formats milliseconds. */
export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : `${formatNumber(value)} ms`;
}

/** Formats a byte count in binary units (MiB, GiB). */
export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${formatNumber(scaled)} ${units[unit] ?? 'B'}`;
}

/** Formats US dollars, keeping small amounts readable. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `$${Math.abs(value) >= 100 ? value.toFixed(0) : formatNumber(value)}`;
}

/** Formats a fraction (0..1) as a percentage. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${formatNumber(value * 100)}%`;
}

/** Formats requests per second. */
export function formatRps(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : `${formatNumber(value)} rps`;
}

export type Unit = 'ms' | 'rps' | 'bytes' | 'usd' | 'ratio' | 'count' | 'fraction';

/** Formats a value in the unit a comparison or metric declares. */
export function formatUnit(value: number | null | undefined, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'rps':
      return formatRps(value);
    case 'bytes':
      return formatBytes(value);
    case 'usd':
      return formatUsd(value);
    case 'fraction':
      return formatPercent(value);
    case 'ratio':
      return value === null || value === undefined ? DASH : `${formatNumber(value)}×`;
    case 'count':
      return formatNumber(value);
  }
}

/** Renders a possibly missing value, appending the reason it was not measured. */
export function formatMissing(formatted: string, reason: string | undefined): string {
  return formatted === DASH && reason ? `${DASH} (${reason})` : formatted;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Median of a list of numbers, or null when empty. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** Label of a topology and its variant, e.g. `monolith/single`. */
export function labelTopology(topology: string, variant: string): string {
  return `${topology}/${variant}`;
}
