/** Public API of the report renderers. */
export { writeRunReports } from './render-run.js';
export { renderMarkdown } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { renderCsvFiles } from './render-csv.js';
export { buildVerdict, CLAIMS, LIBRARY_FREEDOM_FACT, type VerdictRow } from './verdict.js';
export { describeGatewayCaveat } from './gateway-caveat.js';
export { compareRuns, writeComparison, renderComparisonMarkdown, renderComparisonHtml, type RunComparison, type MetricChange } from './compare.js';
export { parseThreshold, evaluateThresholds, anyThresholdFailed, ThresholdSyntaxError, type ParsedThreshold } from './thresholds.js';
export { collectMetricSeries, listMetricNames, METRICS } from './metric-series.js';
