/**
 * The report as one self-contained HTML page: a run record's tables and its charts as inline
 * SVG, the stylesheet inline, no script and no reference to anything outside the file, so it
 * opens offline and makes no request at all. A Content-Security-Policy that allows nothing but
 * inline style says so to the browser as well.
 *
 * Escaping: every string that reaches the page goes through `esc` here, cells and titles
 * alike; strings from log lines (URLs, addresses, user agents, referrers) can hold anything, and
 * a request line holding `<script>` must show as text, ESC or BEL as `\x1b`, `\x07` (HTML forbids
 * them even as character references). The SVGs are vega's, which escapes the text it draws, and
 * renderSvg shows control characters first (test/report/report-html.test.ts checks both).
 */
import { terminalText } from '../log/terminal-text';
import { escapeHtml, formatCount } from '../viz/index';
import type { RenderedChart } from './charts';
import {
  alertTableRows,
  evaluationTableRows,
  peakHourRows,
  spansDays,
  stageTableRows,
  type TableRow,
  truthTableRows,
} from './rows';
import { RUN_RECORD_VERSION, type RunRecord } from './run-record';
import { REPORT_CSS } from './style';

/** Columns whose cells are keys from log lines: shown in a monospace face that may break. */
const KEY_COLUMNS = new Set(['url', 'key', 'ip', 'route', 'path', 'referrer', 'userAgent']);

/** Rows a long table shows before the rest fold away (a <details>, which needs no script). */
const ROWS_SHOWN = 12;

const POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Text for the page: control characters as `\xHH`, then `& < > " '` as entities. */
function esc(s: string): string {
  return escapeHtml(terminalText(s));
}

function cellHtml(column: string, value: RecordCell): { html: string; num: boolean } {
  if (value === null || value === undefined) return { html: '-', num: false };
  if (typeof value === 'number') return { html: esc(formatNumber(value)), num: true };
  if (typeof value === 'boolean') {
    return { html: value ? '<span class="yes">yes</span>' : '', num: false };
  }
  const text = esc(value);
  return { html: KEY_COLUMNS.has(column) ? `<code>${text}</code>` : text, num: false };
}

type RecordCell = TableRow[string] | undefined;

function formatNumber(n: number): string {
  return Number.isInteger(n)
    ? formatCount(n)
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * A report table (viz's tableHtml is the notebooks' plainer one); `columns` defaults to the
 * first row's keys. Every cell is escaped.
 */
export function reportTable(rows: readonly TableRow[], columns?: readonly string[]): string {
  if (rows.length === 0) return '<p class="note">(none)</p>';
  const cols = columns ?? Object.keys(rows[0]);
  const numeric = cols.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === null));
  const head = cols.map((c, i) => `<th${numeric[i] ? ' class="num"' : ''}>${esc(c)}</th>`).join('');
  const body = rows
    .map((r) => {
      const tds = cols.map((c) => {
        const cell = cellHtml(c, r[c]);
        return `<td${cell.num ? ' class="num"' : ''}>${cell.html}</td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** The first ROWS_SHOWN rows, and the rest under "N more rows". */
function foldedTable(rows: readonly TableRow[], columns?: readonly string[]): string {
  const shown = reportTable(rows.slice(0, ROWS_SHOWN), columns);
  if (rows.length <= ROWS_SHOWN) return shown;
  return `${shown}<details><summary>${esc(`${rows.length - ROWS_SHOWN} more rows`)}</summary>${reportTable(rows.slice(ROWS_SHOWN), columns)}</details>`;
}

function figure(charts: ReadonlyMap<string, RenderedChart>, id: string): string {
  const chart = charts.get(id);
  // The SVG is vega's output, text already escaped; it is the one unescaped string inserted.
  return chart === undefined ? '' : `<figure id="chart-${esc(id)}">${chart.svg}</figure>`;
}

function card(label: string, value: string, sub = ''): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div>${
    sub === '' ? '' : `<div class="sub">${esc(sub)}</div>`
  }</div>`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(part * 1000 < whole ? 2 : 1)}%` : '-';
}

function cards(record: RunRecord): string {
  const s = record.summary;
  let errors = 0;
  for (const [code, n] of Object.entries(s.statusCodes)) if (Number(code) >= 400) errors += n;
  const opened = new Set(record.detection.alerts.map((a) => `${a.kind} ${a.key} ${a.firstSeen}`));
  const e = record.evaluation;
  const incidents = e?.kinds.reduce((n, k) => n + k.incidents, 0) ?? 0;
  const detected = e?.kinds.reduce((n, k) => n + k.detected, 0) ?? 0;
  const peak = s.peakHour;
  return `<div class="cards">${[
    card('requests', formatCount(s.total), `${formatCount(s.rejected)} lines rejected`),
    card('unique visitors', formatCount(s.uniqueVisitors), 'address + user agent, per day'),
    card('errors', percent(errors, s.total), `${formatCount(errors)} 4xx and 5xx answers`),
    card(
      'peak hour',
      peak === null ? '-' : `${String(peak.hour).padStart(2, '0')}:00`,
      peak === null ? '' : `${formatCount(peak.requests)} requests`,
    ),
    card(
      'alerts',
      formatCount(opened.size),
      `${formatCount(record.detection.alerts.length)} alert lines`,
    ),
    e === null
      ? card('incidents', '-', 'no ground truth given')
      : card('incidents found', `${detected} of ${incidents}`, 'injected, scored by kind'),
  ].join('')}</div>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}">\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function panel(title: string, body: string, note = ''): string {
  return `<div class="panel">${title === '' ? '' : `<h3>${esc(title)}</h3>`}${
    note === '' ? '' : `<p class="note">${esc(note)}</p>`
  }${body}</div>`;
}

function seedTables(record: RunRecord, charts: ReadonlyMap<string, RenderedChart>): string {
  const s = record.summary;
  const anomalies = record.batch?.jobs.find((j) => j.name === 'ip-anomalies');
  const ipTable =
    anomalies === undefined
      ? panel(
          'IP anomalies',
          reportTable(s.topIps.map((i) => ({ ip: i.key, requests: i.hits }))),
          'client addresses by request volume',
        )
      : panel(
          'IP anomalies',
          foldedTable(anomalies.rows, anomalies.columns),
          anomalies.description,
        );
  return `<div class="grid">
${panel('Error analysis', reportTable(s.topErrors.map((r) => ({ url: r.url, status: r.status, count: r.count }))), 'URL, status and count of 4xx and 5xx answers, most frequent first')}
${panel('Peak hours', reportTable(peakHourRows(s.hourly, 5)), 'the busiest UTC clock hours over all days')}
${panel('Top URLs', reportTable(s.topUrls.map((u) => ({ url: u.key, hits: u.hits }))), 'requests per URL as the log wrote it, all methods')}
${ipTable}
</div>
${charts.has('top-urls') ? `<div class="panel">${figure(charts, 'top-urls')}</div>` : ''}`;
}

function detectionSection(record: RunRecord, charts: ReadonlyMap<string, RenderedChart>): string {
  const d = record.detection;
  const how = `Windows of ${d.windowMs / 60_000} min closing every ${d.hopMs / 1000} s in event time, lateness ${d.latenessMs / 1000} s; ${formatCount(d.late)} late records.`;
  const parts = [`<p class="note">${esc(how)}</p>`];
  if (charts.has('alert-timeline')) {
    parts.push(`<div class="panel">${figure(charts, 'alert-timeline')}</div>`);
  }
  if (record.evaluation === null) {
    parts.push(
      '<p class="note">No ground truth was given: alerts are listed, not scored (loglab report FILE --truth truth.json).</p>',
    );
  } else {
    parts.push(
      panel(
        'Precision and recall per kind',
        reportTable(evaluationTableRows(record)),
        'an incident counts as found when an alert of its kind opens on its key before its end plus one window',
      ),
      `<div class="grid"><div class="panel">${figure(charts, 'detection-quality')}</div>${panel(
        'Ground truth',
        reportTable(truthTableRows(record)),
        'the incidents the generator injected',
      )}</div>`,
    );
  }
  parts.push(
    panel(
      'Alerts',
      foldedTable(alertTableRows(d.alerts, { withDate: spansDays(record) })),
      'one row per alert, in order of opening',
    ),
  );
  return parts.join('\n');
}

function batchSection(record: RunRecord): string {
  const b = record.batch;
  if (b === null) return '<p class="note">The batch jobs did not run in this record.</p>';
  const intro = `<p class="note">${esc(
    `${b.jobs.length} MapReduce jobs on the ${b.engine} runner, over ${formatCount(b.records)} records (${formatCount(b.rejects)} rejected) from ${formatCount(b.inputFiles)} file${b.inputFiles === 1 ? '' : 's'}.`,
  )}</p>`;
  const jobs = b.jobs.map((j) => {
    return `<div class="panel job"><h3><code>${esc(j.name)}</code></h3><p class="note">${esc(j.description)}</p>${foldedTable(j.rows, j.columns)}</div>`;
  });
  return `${intro}<div class="grid">${jobs.join('\n')}</div>`;
}

/** The whole page. `charts` are the record's rendered charts (charts.ts). */
export function reportHtml(record: RunRecord, charts: readonly RenderedChart[]): string {
  const byId = new Map(charts.map((c) => [c.id, c]));
  const s = record.summary;
  const span =
    s.firstTime === null || s.lastTime === null
      ? 'no requests'
      : `${s.firstTime.replace('T', ' ').slice(0, 19)} to ${s.lastTime.replace('T', ' ').slice(0, 19)} UTC`;
  const seed = record.source.seed === null ? '' : `, seed ${record.source.seed}`;
  const nav = [
    ['traffic', 'Traffic'],
    ['tables', 'Seed-style tables'],
    ['detection', 'Detection'],
    ['batch', 'Batch jobs'],
    ['throughput', 'Throughput'],
  ]
    .map(([id, title]) => `<a href="#${id}">${title}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`loglab report: ${record.source.name}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>loglab report</h1>
<p><code>${esc(record.source.name)}</code>: ${esc(`${formatCount(s.read)} lines, ${span}`)}</p>
<p>${esc(`${record.source.engine} engine${seed}; run of ${record.createdAt.replace('T', ' ').slice(0, 19)} UTC`)}</p>
</header>
<nav>${nav}</nav>
<main>
${cards(record)}
${section('traffic', 'Traffic', `<div class="panel">${figure(byId, 'requests-per-hour')}</div><div class="panel">${figure(byId, 'status-mix')}</div>`)}
${section('tables', 'Seed-style tables', seedTables(record, byId))}
${section('detection', 'Detection against the ground truth', detectionSection(record, byId))}
${section('batch', 'Batch jobs', batchSection(record))}
${section('throughput', 'Throughput per stage', `<div class="panel">${figure(byId, 'throughput')}</div>${panel('', reportTable(stageTableRows(record)))}`)}
</main>
<footer>${esc(`loglab run record version ${RUN_RECORD_VERSION}`)}; one file, no script, nothing fetched.</footer>
</body>
</html>
`;
}
