/** Writes one JSON event line to stdout (stdout carries only JSON lines; free text goes to stderr). */
export function logEvent(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, atMs: Math.round(performance.timeOrigin + performance.now()), ...fields })}\n`);
}
