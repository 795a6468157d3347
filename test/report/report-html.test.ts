import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/report/index';
import {
  buildReport,
  chartPng,
  renderCharts,
  reportCharts,
  reportHtml,
  reportTable,
  scopeSvgIds,
} from '../../src/report/index';
import { hostileRecord, IMG, SCRIPT } from './record-fixture';

const SCRIPT_TEXT = '/&lt;script&gt;alert(1)&lt;/script&gt;';
const IMG_TEXT = '/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;';
/** Vega leaves a quote as it is in text content, where it means nothing. */
const IMG_SVG_TEXT = '/"&gt;&lt;img src=x onerror=alert(1)&gt;';

describe('the report page', () => {
  it('escapes every string from a log line: markup shows as text, never as elements', async () => {
    const { html } = await buildReport(hostileRecord());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('onerror=alert(1)>');
    // The error analysis, the top URLs, the batch job and the alert rows, and the truth's key.
    expect(html).toContain(`<td><code>${SCRIPT_TEXT}</code></td><td class="num">404</td>`);
    expect(html).toContain(`<td><code>${IMG_TEXT}</code></td><td class="num">500</td>`);
    expect(html.split(`<code>${IMG_TEXT}</code>`).length - 1).toBe(5);
    expect(html).toContain(`<title>loglab report: day&lt;b&gt;${IMG_TEXT}.log</title>`);
    expect(html).toContain('Top URLs &lt;by hits&gt;');
  });

  it('fetches nothing: no script, link, external URL or resource attribute, and a policy saying so', async () => {
    const { html } = await buildReport(hostileRecord());
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/<(link|iframe|object|embed|audio|video|source)\b/i);
    // Attribute names of every tag (values skipped whole: escaped text in them is no attribute).
    const names = new Set<string>();
    for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) {
      const attrs = tag.replace(/^<[a-zA-Z][\w:-]*/, '').replace(/="[^"]*"/g, '=');
      for (const m of attrs.matchAll(/([\w:-]+)=/g)) names.add(m[1].toLowerCase());
    }
    for (const bad of ['src', 'srcset', 'action', 'formaction', 'poster', 'onerror', 'onload']) {
      expect(names.has(bad), bad).toBe(false);
    }
    expect(names.has('href')).toBe(true);
    // The only absolute URLs are SVG namespace names, which no browser fetches.
    const urls = new Set(html.match(/https?:\/\/[^"'\s)]+/g));
    expect([...urls].sort()).toEqual([
      'http://www.w3.org/1999/xlink',
      'http://www.w3.org/2000/svg',
    ]);
    expect(html.match(/url\((?!#)/g)).toBeNull();
    expect(html.match(/href="(?!#)/g)).toBeNull();
  });

  it('draws the hours unsplit without the batch jobs, not as requests of status "other"', () => {
    const hourly = reportCharts({ ...hostileRecord(), batch: null }).find(
      (c) => c.id === 'requests-per-hour',
    );
    // biome-ignore lint/suspicious/noExplicitAny: the spec is read back as plain JSON
    const values: any[] = (hourly as any).spec.layer[0].data.values;
    expect(values.length).toBe(24);
    expect(new Set(values.map((v) => v.class))).toEqual(new Set(['all']));
    expect(values.filter((v) => v.requests > 0)).toEqual([
      { hour: '08:00', class: 'all', requests: 100 },
      { hour: '09:00', class: 'all', requests: 400 },
      { hour: '10:00', class: 'all', requests: 300 },
      { hour: '11:00', class: 'all', requests: 200 },
    ]);
  });

  it('has a chart for each view it has data for, each an inline SVG', async () => {
    const { html, charts } = await buildReport(hostileRecord());
    expect(charts.map((c) => c.id)).toEqual([
      'requests-per-hour',
      'status-mix',
      'top-urls',
      'alert-timeline',
      'detection-quality',
      'throughput',
    ]);
    for (const c of charts) expect(html).toContain(`<figure id="chart-${c.id}"><svg `);
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
  });

  it('draws no alert timeline or quality chart without alerts or truth', () => {
    const record = {
      ...hostileRecord(),
      detection: { ...hostileRecord().detection, alerts: [] },
      truth: null,
      evaluation: null,
    };
    expect(reportCharts(record).map((c) => c.id)).toEqual([
      'requests-per-hour',
      'status-mix',
      'top-urls',
      'throughput',
    ]);
    const html = reportHtml(record, []);
    expect(html).toContain('No ground truth was given');
  });
});

describe('the report of a log whose paths hold control characters', () => {
  /** With a right-to-left override, which turned `gpj.exe` into `exe.jpg` on the page. */
  const CTRL = '/c\x1b]0;pwned\x07<b>\u202egpj.exe';
  /** ESC, BEL and the override shown as `\xHH` and `\uXXXX` first, then the markup escaped. */
  const CTRL_TEXT = '/c\\x1b]0;pwned\\x07&lt;b&gt;\\u202egpj.exe';
  /** The hostile record with CTRL wherever it has IMG: URLs, keys, batch rows, the source. */
  function controlRecord(): RunRecord {
    const json = (s: string) => JSON.stringify(s).slice(1, -1);
    return JSON.parse(JSON.stringify(hostileRecord()).replaceAll(json(IMG), json(CTRL)));
  }

  it('shows them as \\xHH in the page and its charts, which stay well-formed', async () => {
    const { html, charts } = await buildReport(controlRecord());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain(`<td><code>${CTRL_TEXT}</code></td><td class="num">500</td>`);
    expect(html.split(`<code>${CTRL_TEXT}</code>`).length - 1).toBe(5);
    expect(html).toContain(`<title>loglab report: day&lt;b&gt;${CTRL_TEXT}.log</title>`);
    const top = charts.find((c) => c.id === 'top-urls')?.svg ?? '';
    // The label cut to the chart's width.
    expect(top).toContain('>2. /c\\x1b]0;pwned\\x07&lt;b&gt;\\u202egpj.e…</text>');
    for (const c of charts) expect(c.svg, c.id).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    // resvg parses each SVG as XML: a raw ESC would fail it ("a non-XML character").
    for (const c of charts) expect(chartPng(c).length, c.id).toBeGreaterThan(1000);
  });
});

describe('the charts as SVG', () => {
  it('hold log strings as escaped text', async () => {
    const charts = await renderCharts(reportCharts(hostileRecord()));
    for (const c of charts) {
      expect(c.svg).not.toMatch(/<script/i);
      expect(c.svg).not.toMatch(/<img/i);
    }
    const top = charts.find((c) => c.id === 'top-urls')?.svg ?? '';
    expect(top).toContain(`>1. ${SCRIPT_TEXT}</text>`);
    expect(top).toContain(`>2. ${IMG_SVG_TEXT}</text>`);
    const timeline = charts.find((c) => c.id === 'alert-timeline')?.svg ?? '';
    expect(timeline).toContain(`>${IMG_SVG_TEXT}</text>`);
  });

  it('get ids of their own, so that two charts on one page do not share a clip path', () => {
    const svg =
      '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
    expect(scopeSvgIds(svg, 'top-urls')).toBe(
      '<svg><defs><clipPath id="top-urls-clip1"><rect/></clipPath></defs><g clip-path="url(#top-urls-clip1)"/><use href="#top-urls-clip1"/></svg>',
    );
  });

  it('rewrites ids in tags only, never a URL drawn as text', () => {
    const svg =
      '<svg><clipPath id="c"/><g clip-path="url(#c)"><text aria-label="/b id=&quot;q&quot;">/a id="x" href="#y" url(#z)</text></g></svg>';
    expect(scopeSvgIds(svg, 'top-urls')).toBe(
      '<svg><clipPath id="top-urls-c"/><g clip-path="url(#top-urls-c)"><text aria-label="/b id=&quot;q&quot;">/a id="x" href="#y" url(#z)</text></g></svg>',
    );
  });
});

describe('reportTable', () => {
  it('escapes cells, aligns numbers right, marks flags, writes null as -', () => {
    expect(reportTable([{ url: SCRIPT, hits: 1234, flagged: true, note: null, agent: IMG }])).toBe(
      [
        '<table>',
        '<thead><tr><th>url</th><th class="num">hits</th><th>flagged</th><th class="num">note</th><th>agent</th></tr></thead>',
        '<tbody>',
        `<tr><td><code>${SCRIPT_TEXT}</code></td><td class="num">1,234</td><td><span class="yes">yes</span></td><td>-</td><td>${IMG_TEXT}</td></tr>`,
        '</tbody>',
        '</table>',
      ].join('\n'),
    );
  });
});
