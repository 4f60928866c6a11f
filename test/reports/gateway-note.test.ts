import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunResultsSchema } from '../../bench/results/schema.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { loadFullFixture } from './load-fixture.js';

// The report names the proxy behind every gateway number; older results (no record) read as the Node gateway.
describe('gateway named in the report', () => {
  it('names nginx with its version when the run recorded it', () => {
    const results = loadFullFixture();
    results.environment.gateway = { requested: 'auto', implementation: 'nginx', nginxVersion: 'nginx/1.22.1', label: 'nginx/1.22.1 (keep-alive upstreams, one worker)' };
    const parsed = RunResultsSchema.parse(JSON.parse(JSON.stringify(results)));
    const markdown = renderMarkdown(parsed);
    expect(markdown).toMatch(/every microservices\/gateway figure .* went through: nginx\/1\.22\.1 \(keep-alive upstreams, one worker\)/);
    expect(markdown).toMatch(/\| gateway \| nginx\/1\.22\.1/);
  });

  it('names the Node gateway as the zero-dependency fallback when nginx was not installed', () => {
    const results = loadFullFixture();
    results.environment.gateway = { requested: 'auto', implementation: 'node', nginxVersion: null, label: 'Node gateway (zero-dependency fallback; nginx not installed)' };
    expect(renderMarkdown(results)).toMatch(/went through: Node gateway \(zero-dependency fallback; nginx not installed\)/);
  });

  it('says the split side ran direct, and why, when a run without nginx left the gateway out', () => {
    const results = loadFullFixture();
    const config = results.config as { variants: { topology: string; variant: string }[]; directInsteadOfGateway?: string };
    config.variants = (config.variants ?? []).filter((v) => v.variant !== 'gateway');
    config.directInsteadOfGateway = 'nginx is not installed, so the split side is measured direct';
    if (results.experiments.redeploy) results.experiments.redeploy.results = results.experiments.redeploy.results.filter((r) => r.strategy === 'recreate');
    const markdown = renderMarkdown(results);
    expect(markdown).toMatch(/Gateway — none: nginx is not installed, so the split side is measured direct\./);
    expect(markdown).toMatch(/\| gateway \| none: nginx is not installed/);
    expect(markdown).not.toMatch(/went through:/);
  });

  it('still parses and renders a results file recorded before the gateway field', () => {
    const recorded = RunResultsSchema.parse(JSON.parse(readFileSync(new URL('./fixtures/results-recorded.json', import.meta.url), 'utf8')));
    expect(recorded.environment.gateway).toBeUndefined();
    expect(() => renderMarkdown(recorded)).not.toThrow();
  });
});
