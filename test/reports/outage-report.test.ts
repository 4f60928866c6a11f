import { describe, expect, it } from 'vitest';
import { RunResultsSchema } from '../../bench/results/schema.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { loadFullFixture } from './load-fixture.js';

/** The full fixture with request-based outage fields on every fault and redeploy result (as new runs write them). */
function withOutageFields() {
  const results = loadFullFixture();
  for (const fault of results.experiments.fault!.results) {
    fault.targetDowntimeResolutionMs = 100;
    fault.targetUnrecovered = false;
    fault.undeterminedModels = fault.faultKind === 'crash' ? [{ model: 'ocr-det', reason: 'only 3 request(s) and probe(s) in the fault window; at least 5 are needed to judge' }] : [];
  }
  for (const redeploy of results.experiments.redeploy!.results) for (const impact of redeploy.perModel) impact.resolutionMs = 100;
  return RunResultsSchema.parse(results);
}

describe('outage figures in the report', () => {
  it('writes every downtime with its resolution and lists undetermined models with the reason', () => {
    const markdown = renderMarkdown(withOutageFields());
    const fault = markdown.slice(markdown.indexOf('## Fault isolation'));
    expect(fault).toMatch(/\d+ ms \(resolution 100 ms\)/);
    expect(fault).toContain('| undetermined |');
    expect(fault).toContain('ocr-det (only 3 request(s) and probe(s) in the fault window; at least 5 are needed to judge)');
    expect(fault).toContain('judged non-target models');
    const redeploy = markdown.slice(markdown.indexOf('## Redeploy'), markdown.indexOf('## Fault isolation'));
    expect(redeploy).toMatch(/\d+ ms \(resolution 100 ms\)/);
  });

  it('renders older results, which have bin-based downtime only, as before: no resolution claimed', () => {
    const markdown = renderMarkdown(loadFullFixture());
    expect(markdown).not.toContain('resolution 100 ms');
    expect(markdown).toContain('## Fault isolation');
  });
});
