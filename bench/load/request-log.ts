/**
 * Every request of a stream, compactly: intended send times as whole ms deltas (unsigned LEB128
 * varints, base64) and a failure bitmap (bit i set = request i failed, base64). About 1.2 bytes
 * a request, so a fault window's few thousand requests take a few KB.
 */
export interface RequestLog {
  count: number;
  /** Varint deltas of the intended send times (whole ms, non-decreasing), base64. */
  sendMsB64: string;
  /** Bit i (LSB first in byte i >> 3) set when request i failed, base64. */
  failedB64: string;
}

/** One request as the outage analysis sees it: when it was meant to be sent, and whether it succeeded. */
export interface Observation {
  tMs: number;
  ok: boolean;
}

/** Packs observations (sorted by time; times rounded to whole ms) into a RequestLog. */
export function encodeRequestLog(observations: readonly Observation[]): RequestLog {
  const bytes: number[] = [];
  const failed = new Uint8Array(Math.ceil(observations.length / 8));
  let previous = 0;
  observations.forEach((observation, index) => {
    const t = Math.max(previous, Math.round(observation.tMs));
    for (let delta = t - previous; ; delta = Math.floor(delta / 128)) {
      if (delta < 128) {
        bytes.push(delta);
        break;
      }
      bytes.push((delta % 128) | 0x80);
    }
    previous = t;
    if (!observation.ok) failed[index >> 3]! |= 1 << (index & 7);
  });
  return { count: observations.length, sendMsB64: Buffer.from(bytes).toString('base64'), failedB64: Buffer.from(failed).toString('base64') };
}

/** Unpacks a RequestLog; throws naming the problem when the log is truncated or inconsistent. */
export function decodeRequestLog(log: RequestLog): Observation[] {
  const bytes = Buffer.from(log.sendMsB64, 'base64');
  const failed = Buffer.from(log.failedB64, 'base64');
  if (failed.length < Math.ceil(log.count / 8)) throw new Error(`request log: failure bitmap has ${failed.length} bytes; expected ${Math.ceil(log.count / 8)} for ${log.count} requests`);
  const observations: Observation[] = [];
  let position = 0;
  let t = 0;
  for (let index = 0; index < log.count; index++) {
    let delta = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = bytes[position++];
      if (byte === undefined) throw new Error(`request log: send times end after ${index} of ${log.count} requests`);
      delta += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
    }
    t += delta;
    observations.push({ tMs: t, ok: ((failed[index >> 3]! >> (index & 7)) & 1) === 0 });
  }
  return observations;
}

/** Observations in [fromMs, toMs), re-based so that fromMs becomes 0 (for slicing a log to a window). */
export function sliceObservations(observations: readonly Observation[], fromMs: number, toMs: number): Observation[] {
  return observations.filter((o) => o.tMs >= fromMs && o.tMs < toMs).map((o) => ({ tMs: o.tMs - fromMs, ok: o.ok }));
}
