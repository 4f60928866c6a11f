import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../bench/cli/summarize-run.js';
import type { GatewayCalibrationRecord, RunResults } from '../../bench/results/schema.js';
import { describeGatewayCaveat, wentThroughGateway } from '../../reports/gateway-caveat.js';
import { renderHtml } from '../../reports/render-html.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { buildVerdict } from '../../reports/verdict.js';
import { loadRecordedFixture } from './load-fixture.js';

const FALLBACK = { requested: 'auto' as const, implementation: 'node' as const, nginxVersion: null, label: 'Node gateway (zero-dependency fallback; nginx not installed)' };
const EXPLICIT_NODE = { requested: 'node' as const, implementation: 'node' as const, nginxVersion: null, label: 'Node gateway' };
const NGINX = { requested: 'auto' as const, implementation: 'nginx' as const, nginxVersion: 'nginx/1.22.1', label: 'nginx/1.22.1 (keep-alive upstreams, one worker)' };

/** What `splitbench calibrate` recorded: the Node gateway at 402 µs of CPU per request, nginx at `nginxUs` (null: not measured). */
function calibration(nginxUs: number | null): GatewayCalibrationRecord {
  return {
    measuredAt: '2026-11-20T10:00:00.000Z',
    source: 'splitbench calibrate',
    gateways: [
      { implementation: 'node', label: FALLBACK.label, rps: 977, requests: 2931, gatewayCpuUsPerRequest: 402 },
      { implementation: 'nginx', label: NGINX.label, rps: 2222, requests: 6666, gatewayCpuUsPerRequest: nginxUs },
    ],
  };
}

/** The recorded run (workers vs gateway) as if it had been served by `gateway`, with an optional calibration. */
function runWith(gateway: RunResults['environment']['gateway'], gateways?: GatewayCalibrationRecord): RunResults {
  const results = loadRecordedFixture();
  results.environment.gateway = gateway;
  if (gateways) results.calibration = { overhead: [], gateways };
  return results;
}

/** The verdict section of a Markdown report (up to the other comparisons). */
function verdictOf(markdown: string): string {
  return markdown.slice(markdown.indexOf('## Verdict'), markdown.indexOf('### All other comparisons'));
}

// No silent strawman: numbers that went through the Node fallback gateway say so, with the measured price of that.
describe('verdict rows through the Node fallback gateway carry a caveat', () => {
  it('cites the per-request CPU difference calibrate measured, with its date, on every gateway row', () => {
    const results = runWith(FALLBACK, calibration(72));
    expect(describeGatewayCaveat(results)).toBe('via the Node fallback gateway: +330 µs CPU per request vs nginx (calibrate, 2026-11-20)');
    const rows = buildVerdict(results).filter((row) => row.status === 'measured');
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(row.viaFallbackGateway, row.claim).toBe(true);
      expect(row.caveats).toContain('via the Node fallback gateway: +330 µs CPU per request vs nginx (calibrate, 2026-11-20)');
    }
    const verdict = verdictOf(renderMarkdown(results));
    expect(verdict).toMatch(/^\| Latency of light models \|.*\| .* ⚠ via the Node fallback gateway \|/m);
    expect(verdict).toMatch(/^\| Fault isolation \|.*⚠ via the Node fallback gateway/m);
    expect(renderMarkdown(results)).toContain('Gateways (splitbench calibrate, 2026-11-20T10:00:00.000Z, same services, closed loop): Node gateway (zero-dependency fallback; nginx not installed): 402 µs gateway CPU per request, 977 rps; nginx/1.22.1 (keep-alive upstreams, one worker): 72 µs gateway CPU per request, 2,222 rps.');
    expect(verdict).toMatch(/^> Cost \(\$ per 1M inferences\), .*Latency of light models.* and every other figure marked "⚠ via the Node fallback gateway" — caveat: via the Node fallback gateway: \+330 µs CPU per request vs nginx \(calibrate, 2026-11-20\)\.$/m);
  });

  it('says the cost was not measured (and prints no number) when calibrate did not measure both gateways', () => {
    for (const results of [runWith(FALLBACK), runWith(FALLBACK, calibration(null))]) {
      const verdict = verdictOf(renderMarkdown(results));
      expect(verdict).toContain('via the Node fallback gateway: per-request cost vs nginx not measured on this machine; run `splitbench calibrate`');
      expect(verdict).not.toMatch(/µs CPU per request/);
    }
  });

  it('is on the terminal summary and in the HTML report too', async () => {
    const results = runWith(FALLBACK, calibration(72));
    const summary = summarizeRun(results, 'reports/runs/x');
    expect(summary.text).toMatch(/^ {2}Latency of light models .* → .*⚠$/m);
    expect(summary.text).toMatch(/^ {2}⚠ via the Node fallback gateway: \+330 µs CPU per request vs nginx \(calibrate, 2026-11-20\)$/m);
    expect(summary.verdict.find((v) => v.claim === 'throughput')).toMatchObject({ viaFallbackGateway: true, caveats: [expect.stringMatching(/\+330 µs/)] });
    const html = await renderHtml(results);
    expect(html).toContain('via the Node fallback gateway: +330 µs CPU per request vs nginx (calibrate, 2026-11-20)');
    expect(html).toContain('⚠ via the Node fallback gateway</td>');
  });

  it('is absent from runs served by nginx and from an explicit --gateway node', () => {
    for (const results of [runWith(NGINX, calibration(72)), runWith(EXPLICIT_NODE, calibration(72)), loadRecordedFixture()]) {
      const markdown = renderMarkdown(results);
      expect(markdown).not.toMatch(/fallback gateway/);
      expect(buildVerdict(results).every((row) => !row.viaFallbackGateway && row.caveats.every((c) => !/gateway/.test(c)))).toBe(true);
      expect(summarizeRun(results, 'x').text).not.toContain('⚠');
    }
  });

  it('marks the rows that went through a gateway only: not direct microservices, not the library matrices', () => {
    const [gatewayRow] = loadRecordedFixture().experiments.latency!.comparisons;
    const direct = { ...gatewayRow!, microservices: { ...gatewayRow!.microservices, variant: 'direct' as const } };
    expect(wentThroughGateway(gatewayRow!, 'latency')).toBe(true);
    expect(wentThroughGateway(direct, 'latency')).toBe(false);
    expect(wentThroughGateway(gatewayRow!, 'library')).toBe(false);
    expect(wentThroughGateway({ ...direct, label: 'failed requests of the other models during a rolling of a model change (workers vs direct)' }, 'redeploy')).toBe(true);
  });
});
