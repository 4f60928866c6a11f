import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGatewayCalibration, saveGatewayCalibration } from '../../../bench/results/gateway-calibration.js';
import { RunResultsSchema } from '../../../bench/results/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'splitbench-calibration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MEASURED = [
  { implementation: 'node' as const, label: 'Node gateway', rps: 977, requests: 2931, gatewayCpuUsPerRequest: 402 },
  { implementation: 'nginx' as const, label: 'nginx/1.22.1 (keep-alive upstreams, one worker)', rps: 2222, requests: 6666, gatewayCpuUsPerRequest: 72 },
];

// calibrate saves the gateways' figures; a run on the same machine records them for its caveat.
describe('the saved gateway calibration', () => {
  it('reads back on this machine as the record a run keeps, with the time it was measured', () => {
    const file = saveGatewayCalibration(MEASURED, join(dir, 'nested', 'calibration.json'), new Date('2026-11-20T10:00:00Z'));
    const record = readGatewayCalibration(file);
    expect(record).toEqual({ measuredAt: '2026-11-20T10:00:00.000Z', source: 'splitbench calibrate', gateways: MEASURED });
    expect(RunResultsSchema.shape.calibration.parse({ overhead: [], gateways: record })).toMatchObject({ gateways: { measuredAt: '2026-11-20T10:00:00.000Z' } });
  });

  it('is ignored when missing, unreadable, or measured on another machine', () => {
    expect(readGatewayCalibration(join(dir, 'missing.json'))).toBeNull();
    writeFileSync(join(dir, 'bad.json'), '{"gateways": 3}');
    expect(readGatewayCalibration(join(dir, 'bad.json'))).toBeNull();
    const file = saveGatewayCalibration(MEASURED, join(dir, 'other.json'));
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), hostname: 'another-host' }));
    expect(readGatewayCalibration(file)).toBeNull();
  });
});
