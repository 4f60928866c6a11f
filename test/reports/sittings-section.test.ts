import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { renderHtml } from '../../reports/render-html.js';
import { buildSittingsBlocks, describeProduced, formatTrials } from '../../reports/sections/sittings-section.js';
import { loadFullFixture } from './load-fixture.js';

const variants = ['monolith/single', 'microservices/direct'];

describe('the sittings section of a resumed run', () => {
  it('writes trials as ranges', () => {
    expect(formatTrials([0])).toBe('trial 1');
    expect(formatTrials([3, 0, 1, 2, 5])).toBe('trials 1–4, 6');
  });

  it('groups what a sitting measured per experiment, saying "every variant" when all have the same trials', () => {
    const lines = describeProduced(
      [
        'latency monolith/single trial 1',
        'latency microservices/direct trial 1',
        'latency monolith/single trial 2',
        'latency microservices/direct trial 2',
        'fault monolith/single trial 1 baseline in tabular',
        'fault monolith/single trial 2 crash in tabular',
        'fault microservices/direct trial 2 crash in tabular',
        'scaling monolith/single 4 models',
        'library',
      ],
      variants,
    );
    expect(lines).toEqual([
      'latency: trials 1–2 of every variant',
      'footprint scaling: 4 models, monolith/single',
      'fault: baseline in tabular, monolith/single trial 1; crash in tabular, trial 2 of every variant',
      'library: both matrices',
    ]);
  });

  it('is left out for a run done in one sitting and shown in Markdown and HTML for a resumed one', async () => {
    const results = loadFullFixture();
    expect(buildSittingsBlocks(results)).toEqual([]);
    expect(renderMarkdown(results)).not.toContain('## Sittings');
    results.sittings = [
      { index: 1, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:10:00.000Z', status: 'interrupted', command: 'splitbench run latency --out x', produced: ['latency monolith/single trial 1'] },
      { index: 2, startedAt: '2026-01-02T00:00:00.000Z', finishedAt: '2026-01-02T00:05:00.000Z', status: 'complete', command: 'splitbench run latency --resume x', produced: ['latency monolith/single trial 2'] },
    ];
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('## Sittings');
    expect(markdown).toMatch(/\| 1 \| 2026-01-01T00:00:00.000Z \| 2026-01-01T00:10:00.000Z \(600 s\) \| interrupted \| 1 \| splitbench run latency --out x \|/);
    expect(markdown).toContain('- sitting 2 measured latency: monolith/single trial 2');
    const html = await renderHtml(results);
    expect(html).toContain('<h2 id="sittings">Sittings</h2>');
    expect(html).toContain('sitting 1 measured latency: monolith/single trial 1');
  });
});
