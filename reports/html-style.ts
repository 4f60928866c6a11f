/** Inline CSS of report.html: large type for projectors, winner colours, no external fonts. */
export const REPORT_CSS = `
:root { --mono: #d95f02; --micro: #1b9e77; --bad: #c62828; --good: #2e7d32; --muted: #666; }
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 17px; line-height: 1.45; color: #111; margin: 0 auto; padding: 24px 32px 64px; max-width: 1500px; background: #fff; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 24px; margin-top: 44px; border-bottom: 3px solid #222; padding-bottom: 4px; }
h3 { font-size: 19px; margin-top: 26px; }
.subtitle { color: var(--muted); margin: 0 0 18px; }
nav { margin: 8px 0 20px; font-size: 15px; }
nav a { margin-right: 14px; color: #1a5490; }
.table-wrap { overflow-x: auto; margin: 10px 0 18px; }
table { border-collapse: collapse; font-size: 15px; }
th, td { border: 1px solid #ccc; padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
#verdict-table { font-size: 18px; }
#verdict-table td:first-child { font-weight: bold; }
td.tone-monolith { background: var(--mono); color: #fff; font-weight: bold; }
td.tone-microservices { background: var(--micro); color: #fff; font-weight: bold; }
td.tone-tie { background: #e0e0e0; font-weight: bold; }
td.tone-muted { color: var(--muted); }
td.tone-invalid { color: var(--bad); font-weight: bold; }
td.tone-good { color: var(--good); font-weight: bold; }
td.tone-bad { background: var(--bad); color: #fff; font-weight: bold; }
.note { border-left: 4px solid #888; padding: 4px 12px; background: #f7f7f7; }
.not-measured { border: 2px dashed #bbb; color: #444; padding: 14px 18px; margin: 12px 0; background: #fafafa; }
.charts { display: flex; flex-wrap: wrap; gap: 22px; margin: 14px 0; }
figure.chart { margin: 0; padding: 10px 12px; border: 1px solid #ddd; border-radius: 6px; background: #fff; }
figure.chart figcaption { font-size: 15px; margin-bottom: 6px; max-width: 680px; }
figure.chart .how { color: #444; font-size: 14px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
pre { background: #f5f5f5; padding: 12px; overflow-x: auto; font-size: 13px; }
.legend-key { display: inline-block; padding: 1px 8px; color: #fff; border-radius: 3px; font-weight: bold; }
`;
