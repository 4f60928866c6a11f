/** The engine's event stream for one run's containers, parsed into small records. */
import type Docker from 'dockerode';
import { nowMs } from '../../clock.js';
import { RUN_LABEL } from './engine.js';

/** One container event from the engine. */
export interface EngineEvent {
  /** When the harness received it (nowMs clock). */
  atMs: number;
  /** When the engine says it happened (epoch ms). */
  engineAtMs: number;
  /** start, die, oom, kill, stop, health_status, ... ("health_status: healthy" is split into action + status). */
  action: string;
  status: string | null;
  containerId: string;
  process: string | null;
  exitCode: number | null;
}

/** Raw shape of an engine event (the fields used). */
interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Parses one raw event; null for events that are not about a container. */
export function parseEngineEvent(raw: RawEvent): EngineEvent | null {
  if (raw.Type !== 'container' || !raw.Action) return null;
  const [action, status] = raw.Action.split(/:\s*/, 2) as [string, string | undefined];
  const attributes = raw.Actor?.Attributes ?? {};
  const exitCode = attributes.exitCode === undefined ? null : Number(attributes.exitCode);
  return {
    atMs: nowMs(),
    engineAtMs: raw.timeNano ? raw.timeNano / 1e6 : Date.now(),
    action,
    status: status ?? null,
    containerId: raw.Actor?.ID ?? raw.id ?? '',
    process: attributes['splitbench.process'] ?? null,
    exitCode,
  };
}

/** Follows the engine events of a run's containers; handlers run one at a time in arrival order. */
export async function startEngineEvents(docker: Docker, runId: string, onEvent: (event: EngineEvent) => Promise<void> | void): Promise<{ close(): void }> {
  const stream = (await docker.getEvents({ filters: JSON.stringify({ type: ['container'], label: [`${RUN_LABEL}=${runId}`] }) } as unknown as object)) as NodeJS.ReadableStream & { destroy?: () => void };
  let buffer = '';
  let chain: Promise<void> = Promise.resolve();
  stream.on('data', (chunk: Buffer | string) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      let event: EngineEvent | null = null;
      try {
        event = parseEngineEvent(JSON.parse(line) as RawEvent);
      } catch {
        event = null;
      }
      if (event) {
        const parsed = event;
        chain = chain.then(() => onEvent(parsed)).catch(() => undefined);
      }
    }
  });
  stream.on('error', () => undefined);
  return { close: () => stream.destroy?.() };
}
