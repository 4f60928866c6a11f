import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { escapeHtml } from '../format.js';

/** A chart before rendering: what it shows and how to read it, plus its vega-lite spec. */
export interface ChartDef {
  id: string;
  title: string;
  howToRead: string;
  spec: TopLevelSpec;
}

/** Fonts and sizes readable on a projector; no external font is referenced. */
export const CHART_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'right', labelLimit: 280 },
  title: { fontSize: 15, anchor: 'start' },
  view: { stroke: '#ccc' },
} as const;

/** Colours of the topology variants, the same in every chart: monolith warm, microservices cool. */
export const VARIANT_COLORS = { domain: ['monolith/single', 'monolith/workers', 'microservices/direct', 'microservices/gateway'], range: ['#d95f02', '#e6ab02', '#1b9e77', '#7570b3'] };

/** Compiles a vega-lite spec and renders it to an SVG string, offline. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a chart into a self-contained figure: title, the inline SVG, and a one-line how-to-read. */
export async function renderChartFigure(chart: ChartDef): Promise<string> {
  try {
    const svg = await renderSvg(chart.spec);
    return `<figure class="chart" id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}"><figcaption><strong>${escapeHtml(chart.title)}</strong><br><span class="how">How to read it: ${escapeHtml(chart.howToRead)}</span></figcaption>${svg}</figure>`;
  } catch (error) {
    return renderNotMeasuredPanel(chart.title, `the chart could not be rendered: ${(error as Error).message}`, chart.id);
  }
}

/** A panel shown instead of a chart when its data was not measured. */
export function renderNotMeasuredPanel(title: string, reason: string, id?: string): string {
  const idAttribute = id ? ` id="${escapeHtml(id)}"` : '';
  return `<div class="not-measured"${idAttribute}><strong>${escapeHtml(title)}: not measured</strong> — ${escapeHtml(reason)}</div>`;
}

/** Turns free text into a chart id fragment. */
export function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
