import { afterEach, describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../src/viz/render';
import { type NotebookDisplay, notebookDisplay, show, showTable } from '../../src/viz/show';

const spec: ChartSpec = {
  title: 'Two bars',
  data: {
    values: [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ],
  },
  mark: 'bar',
  encoding: {
    x: { field: 'k', type: 'nominal', title: 'key' },
    y: { field: 'v', type: 'quantitative', title: 'value' },
  },
};

/** A stand-in for tslab's display that records what a cell would show. */
function recorder(): NotebookDisplay & { shown: [string, string | Uint8Array][] } {
  const shown: [string, string | Uint8Array][] = [];
  return {
    shown,
    svg: (s) => shown.push(['svg', s]),
    png: (b) => shown.push(['png', b]),
    html: (s) => shown.push(['html', s]),
  };
}

const globals = globalThis as { __tslab__?: unknown };
afterEach(() => {
  delete globals.__tslab__;
});

describe('show', () => {
  it('returns the SVG outside a notebook kernel', async () => {
    const svg = await show(spec);
    expect(svg?.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>Two bars</text>');
  });

  it('sends a PNG (scale 1.5) to the notebook by default, and returns nothing', async () => {
    const d = recorder();
    expect(await show(spec, {}, d)).toBeUndefined();
    expect(d.shown).toHaveLength(1);
    const [kind, bytes] = d.shown[0];
    expect(kind).toBe('png');
    const png = Buffer.from(bytes as Uint8Array);
    const svg = (await show(spec, {}, undefined)) as string;
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(Math.round(width * 1.5));
  });

  it('sends SVG when asked', async () => {
    const d = recorder();
    await show(spec, { format: 'svg' }, d);
    expect(d.shown.map(([k]) => k)).toEqual(['svg']);
    expect(d.shown[0][1]).toContain('>Two bars</text>');
  });
});

describe('notebookDisplay', () => {
  it('is undefined outside a kernel', () => {
    expect(notebookDisplay()).toBeUndefined();
  });

  it("uses the kernel's own tslab module, found through the executor's global", async () => {
    const d = recorder();
    const asked: string[] = [];
    globals.__tslab__ = {
      require: (id: string) => {
        asked.push(id);
        return { display: d };
      },
    };
    expect(notebookDisplay()).toBe(d);
    await show(spec);
    expect(asked).toEqual(['tslab', 'tslab']);
    expect(d.shown.map(([k]) => k)).toEqual(['png']);
  });
});

describe('showTable', () => {
  const rows = [
    { reason: 'bad-status', count: 3, raw: '1.2.3.4 - - [x] "GET /<script>" 9999 -' },
    { reason: 'bad-timestamp', count: 12, raw: 'a "quoted" & odd line' },
  ];

  it('returns aligned text outside a kernel', () => {
    expect(showTable(rows, { columns: ['reason', 'count'] })).toBe(
      [
        'reason         count',
        '-------------  -----',
        'bad-status         3',
        'bad-timestamp     12',
      ].join('\n'),
    );
  });

  it('sends escaped HTML to a notebook and cuts long cells', () => {
    const d = recorder();
    expect(showTable(rows, { maxWidth: 20 }, d)).toBeUndefined();
    const html = d.shown[0][1] as string;
    expect(d.shown[0][0]).toBe('html');
    expect(html).toContain('<th style="text-align:left">raw</th>');
    expect(html).toContain('<code>1.2.3.4 - - [x] &quot;GE…</code>');
    expect(html).toContain('<code>a &quot;quoted&quot; &amp; odd li…</code>');
    expect(html).toContain('<td style="text-align:right"><code>12</code></td>');
    expect(html).not.toContain('<script>');
  });
});
