import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../models/paths.js';
import { GatewayCalibrationSchema, type GatewayCalibrationRecord } from './schema.js';

/** What `splitbench calibrate` saves about the gateways, with the machine it measured them on. */
const SavedGatewayCalibrationSchema = GatewayCalibrationSchema.extend({
  hostname: z.string(),
  cpuModel: z.string(),
  cores: z.number().int(),
});
export type SavedGatewayCalibration = z.infer<typeof SavedGatewayCalibrationSchema>;

/** One gateway's figures as `measureGateways` returns them (the fields the record keeps). */
export interface MeasuredGateway {
  implementation: 'node' | 'nginx';
  label: string;
  rps: number;
  requests: number;
  gatewayCpuUsPerRequest: number | null;
}

/** Where calibrate saves the gateway figures: SPLITBENCH_CALIBRATION, else reports/runs/calibration.json. */
export function locateGatewayCalibration(): string {
  return process.env.SPLITBENCH_CALIBRATION ?? join(projectRoot(), 'reports', 'runs', 'calibration.json');
}

/** The machine a calibration belongs to: the fields of the run's environment fingerprint that identify it. */
function describeMachine(): { hostname: string; cpuModel: string; cores: number } {
  const cpus = os.cpus();
  return { hostname: os.hostname(), cpuModel: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length };
}

/** Saves the gateways calibrate measured, stamped with this machine and the time; returns the file written. */
export function saveGatewayCalibration(gateways: readonly MeasuredGateway[], file = locateGatewayCalibration(), now = new Date()): string {
  const saved: SavedGatewayCalibration = {
    measuredAt: now.toISOString(),
    source: 'splitbench calibrate',
    gateways: gateways.map((g) => ({ implementation: g.implementation, label: g.label, rps: g.rps, requests: g.requests, gatewayCpuUsPerRequest: g.gatewayCpuUsPerRequest })),
    ...describeMachine(),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  return file;
}

/**
 * The gateway calibration saved on this machine, as a run records it; null when none was saved, the
 * file does not parse, or it was measured on another machine (its figures would not apply here).
 */
export function readGatewayCalibration(file = locateGatewayCalibration()): GatewayCalibrationRecord | null {
  let saved: SavedGatewayCalibration;
  try {
    saved = SavedGatewayCalibrationSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
  const here = describeMachine();
  if (saved.hostname !== here.hostname || saved.cpuModel !== here.cpuModel || saved.cores !== here.cores) return null;
  return { measuredAt: saved.measuredAt, source: saved.source, gateways: saved.gateways };
}
