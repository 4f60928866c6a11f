import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResults } from '../bench/results/schema.js';
import { renderCsvFiles } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

/** Writes report.md, report.html and one CSV per experiment (plus comparisons.csv) from results alone. */
export async function writeRunReports(results: RunResults, dir: string): Promise<{ files: string[] }> {
  await mkdir(dir, { recursive: true });
  const outputs: [string, string][] = [
    ['report.md', renderMarkdown(results)],
    ['report.html', await renderHtml(results)],
    ...Object.entries(renderCsvFiles(results)),
  ];
  const files: string[] = [];
  for (const [name, content] of outputs) {
    const path = join(dir, name);
    await writeFile(path, content);
    files.push(path);
  }
  return { files };
}
