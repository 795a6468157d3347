/**
 * The report's stylesheet, inlined in the page (no file or font to fetch). Large type and
 * quiet colours: the page is shown on projectors as much as read on a laptop; it prints too.
 */
export const REPORT_CSS = `
:root { --ink: #1d2330; --muted: #5b6475; --line: #dde2ea; --bg: #f5f7fa; --accent: #2f6db5;
  --bad: #c0392b; --good: #2e7d46; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header { background: #1d2330; color: #fff; padding: 28px 40px 22px; }
header h1 { margin: 0 0 4px; font-size: 28px; font-weight: 600; letter-spacing: .2px; }
header p { margin: 2px 0; color: #c5cbd6; }
header code { color: #fff; background: none; font-size: 15px; }
nav { position: sticky; top: 0; z-index: 1; background: #fff; border-bottom: 1px solid var(--line);
  padding: 8px 40px; display: flex; gap: 22px; flex-wrap: wrap; }
nav a { color: var(--accent); text-decoration: none; font-weight: 600; font-size: 14px; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 40px 40px; }
section { margin-top: 28px; }
h2 { font-size: 22px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 17px; margin: 0 0 8px; }
.note { color: var(--muted); font-size: 13.5px; margin: 4px 0 10px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 12px;
  margin-top: 22px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card .label { color: var(--muted); font-size: 12.5px; text-transform: uppercase; letter-spacing: .5px; }
.card .value { font-size: 26px; font-weight: 600; line-height: 1.25; }
.card .sub { color: var(--muted); font-size: 13px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px;
  align-items: start; }
.grid + .grid, .grid + .panel, .panel + .grid, .panel + .panel { margin-top: 16px; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
  overflow-x: auto; min-width: 0; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line);
  padding: 5px 8px; white-space: nowrap; }
td { border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
td code { font: 13px/1.4 "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace;
  overflow-wrap: break-word; }
.yes { color: var(--bad); font-weight: 600; }
.good { color: var(--good); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; font-size: 14px; }
.job + .job { margin-top: 14px; }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 24px; }
@media print { nav { display: none; } body { background: #fff; } .panel { break-inside: avoid; } }
`;
