import type { RunResults, ThresholdOutcome } from '../bench/results/schema.js';
import { buildChartSets } from './charts/build-charts.js';
import { renderChartFigure, renderNotMeasuredPanel } from './charts/render-chart.js';
import { renderBlocksHtml } from './document.js';
import { escapeHtml } from './format.js';
import { REPORT_CSS } from './html-style.js';
import { buildReportBlocks, describeRun } from './render-markdown.js';

/** Renders every chart group to HTML (inline SVG figures and not-measured panels), keyed by placeholder id. */
async function renderChartGroups(results: RunResults): Promise<Map<string, string>> {
  const groups = new Map<string, string>();
  for (const [placeholder, sets] of buildChartSets(results)) {
    const parts: string[] = [];
    for (const set of sets) {
      for (const chart of set.charts) parts.push(await renderChartFigure(chart));
      for (const missing of set.missing) parts.push(renderNotMeasuredPanel(missing.title, missing.reason));
    }
    // The verdict's charts get their own heading, in HTML only (Markdown has no charts to show).
    const heading = placeholder === 'charts-verdict' && parts.length > 0 ? '<h3 id="verdict-charts">The charts behind the verdict</h3>\n' : '';
    groups.set(placeholder, `${heading}<div class="charts">${parts.join('\n')}</div>`);
  }
  return groups;
}

/** Renders report.html: one self-contained offline file (inline CSS and SVG, no scripts), verdict first. */
export async function renderHtml(results: RunResults, thresholds?: readonly ThresholdOutcome[]): Promise<string> {
  const blocks = buildReportBlocks(results, thresholds);
  const charts = await renderChartGroups(results);
  const missingExperiments = (['latency', 'throughput', 'footprint', 'redeploy', 'fault'] as const).filter((name) => !results.experiments[name]);
  for (const name of missingExperiments) charts.set(`charts-${name}`, '');
  const nav = ['verdict', 'experiment-latency', 'experiment-throughput', 'experiment-footprint', 'experiment-redeploy', 'experiment-fault', 'experiment-diagnose', 'validity', 'environment']
    .map((id) => `<a href="#${id}">${id.replace('experiment-', '')}</a>`)
    .join('');
  const body = renderBlocksHtml(blocks, charts);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>splitbench report ${escapeHtml(results.runId)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>splitbench: monolith vs microservices</h1>
<p class="subtitle">${escapeHtml(describeRun(results))}. Colours: <span class="legend-key" style="background:var(--mono)">monolith</span> <span class="legend-key" style="background:var(--micro)">microservices</span></p>
<nav>${nav}</nav>
${body}
</body>
</html>
`;
}
