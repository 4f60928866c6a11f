import { escapeHtml } from './format.js';

/** A table cell: plain text, or text with a tone the HTML renderer colours. */
export type Tone = 'good' | 'bad' | 'muted' | 'invalid' | 'monolith' | 'microservices' | 'tie';
export type Cell = string | { text: string; tone?: Tone; title?: string };

export interface Table {
  id?: string;
  columns: string[];
  rows: Cell[][];
}

/** The format-neutral pieces a report is made of; Markdown and HTML render the same blocks. */
export type Block =
  | { kind: 'heading'; level: 2 | 3 | 4; text: string; id?: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; table: Table }
  | { kind: 'code'; text: string; language?: string }
  | { kind: 'chart'; id: string }
  | { kind: 'not-measured'; title: string; reason: string };

/** Text of a cell. */
export function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}

/** Escapes a cell for a Markdown table. */
function escapeMarkdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Renders a table as GitHub-flavoured Markdown. */
export function renderTableMarkdown(table: Table): string {
  const header = `| ${table.columns.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${table.columns.map(() => '---').join('|')}|`;
  const rows = table.rows.map((row) => `| ${row.map((cell) => escapeMarkdownCell(cellText(cell))).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** Renders blocks as Markdown; charts are skipped (they live in the HTML report). */
export function renderBlocksMarkdown(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        parts.push(`${'#'.repeat(block.level)} ${block.text}`);
        break;
      case 'paragraph':
        parts.push(block.text);
        break;
      case 'note':
        parts.push(`> ${block.text}`);
        break;
      case 'list':
        parts.push(block.items.map((item) => `- ${item}`).join('\n'));
        break;
      case 'table':
        if (block.table.rows.length > 0) parts.push(renderTableMarkdown(block.table));
        break;
      case 'code':
        parts.push(`\`\`\`${block.language ?? ''}\n${block.text}\n\`\`\``);
        break;
      case 'not-measured':
        parts.push(`**${block.title}: not measured** — ${block.reason}`);
        break;
      case 'chart':
        break;
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** Renders a table as HTML with toned cells. */
export function renderTableHtml(table: Table): string {
  const head = `<thead><tr>${table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
  const body = table.rows
    .map((row) => {
      const cells = row.map((cell) => {
        if (typeof cell === 'string') return `<td>${escapeHtml(cell)}</td>`;
        const title = cell.title ? ` title="${escapeHtml(cell.title)}"` : '';
        const tone = cell.tone ? ` class="tone-${cell.tone}"` : '';
        return `<td${tone}${title}>${escapeHtml(cell.text)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const id = table.id ? ` id="${escapeHtml(table.id)}"` : '';
  return `<div class="table-wrap"><table${id}>${head}<tbody>${body}</tbody></table></div>`;
}

/** Renders blocks as HTML; charts are looked up by id in the rendered SVG map. */
export function renderBlocksHtml(blocks: readonly Block[], charts: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading': {
        const id = block.id ? ` id="${escapeHtml(block.id)}"` : '';
        parts.push(`<h${block.level}${id}>${escapeHtml(block.text)}</h${block.level}>`);
        break;
      }
      case 'paragraph':
        parts.push(`<p>${escapeHtml(block.text)}</p>`);
        break;
      case 'note':
        parts.push(`<p class="note">${escapeHtml(block.text)}</p>`);
        break;
      case 'list':
        parts.push(`<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
        break;
      case 'table':
        if (block.table.rows.length > 0) parts.push(renderTableHtml(block.table));
        break;
      case 'code':
        parts.push(`<pre><code>${escapeHtml(block.text)}</code></pre>`);
        break;
      case 'not-measured':
        parts.push(`<div class="not-measured"><strong>${escapeHtml(block.title)}: not measured</strong> — ${escapeHtml(block.reason)}</div>`);
        break;
      case 'chart': {
        const chart = charts.get(block.id);
        if (chart) parts.push(chart);
        break;
      }
    }
  }
  return parts.join('\n');
}
