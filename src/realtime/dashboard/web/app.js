/*
 * The live dashboard page: one EventSource on /events, one `frame` event at a time (the JSON of
 * web-frame.ts). Figures and tables are written with textContent and the charts are vega views
 * whose named data sets are replaced through changesets, so nothing from a log line is ever
 * parsed as markup and the charts update in place.
 *
 * When the server goes away the EventSource reconnects by itself (the server's `retry:` says
 * how soon); the status pill says "reconnecting…" meanwhile. Should the browser give up (an
 * answer that is not an event stream), the page opens a new EventSource a second later.
 */

(() => {
  const byId = (id) => document.getElementById(id);
  const views = new Map();
  let latest = null;
  let chartsReady = false;

  const count = (n) => Math.round(n).toLocaleString('en-US');
  const iso = (ms) => new Date(ms).toISOString();
  const dateTime = (ms) => (ms === null ? '—' : `${iso(ms).slice(0, 19).replace('T', ' ')}`);
  const duration = (ms) => {
    if (ms > 0 && ms % 3600000 === 0) return `${ms / 3600000} h`;
    if (ms > 0 && ms % 60000 === 0) return `${ms / 60000} min`;
    if (ms > 0 && ms % 1000 === 0) return `${ms / 1000} s`;
    return `${ms} ms`;
  };
  const short = (frame, ms) =>
    frame.hopMs % 60000 === 0 && frame.windowMs % 60000 === 0
      ? iso(ms).slice(11, 16)
      : iso(ms).slice(11, 19);

  function setText(id, value) {
    const el = byId(id);
    if (el.textContent !== value) el.textContent = value;
  }

  function setStatus(kind, words) {
    const el = byId('status');
    el.className = `status ${kind}`;
    el.textContent = words;
  }

  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
  }

  function drawOpen(frame) {
    const body = byId('open-alerts').tBodies[0];
    const rows = [];
    for (const a of frame.open) {
      const tr = document.createElement('tr');
      tr.className = a.severity;
      tr.dataset.kind = a.kind;
      cell(tr, a.kind);
      cell(tr, a.text);
      cell(tr, a.severity);
      cell(tr, short(frame, a.firstSeen));
      rows.push(tr);
    }
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      cell(tr, 'none', 'none');
      tr.firstChild.colSpan = 4;
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    setText('open-count', String(frame.open.length));
  }

  function drawRecent(frame) {
    const items = [];
    for (const a of frame.recent) {
      const li = document.createElement('li');
      li.className = a.change === 'resolved' ? 'resolved' : a.severity;
      li.dataset.kind = a.kind;
      li.dataset.emittedAt = String(a.emittedAt);
      li.textContent = `${short(frame, a.windowEnd)} ${a.change.padEnd(8)} ${a.kind.padEnd(11)} ${a.text}`;
      items.push(li);
    }
    if (items.length === 0) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = 'none';
      items.push(li);
    }
    // Oldest first, as the terminal lists them; the list follows the newest line unless the
    // reader has scrolled up to an older one.
    const list = byId('recent-alerts');
    const following = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.replaceChildren(...items);
    if (following) list.scrollTop = list.scrollHeight;
    setText('alert-lines', count(frame.alertLines));
  }

  function replaceData(id, name, rows) {
    const view = views.get(id);
    if (view === undefined) return;
    view.change(name, vega.changeset().remove(vega.truthy).insert(rows));
    view.runAsync();
  }

  function drawCharts(frame) {
    replaceData('chart-series', 'series', frame.series);
    replaceData('chart-urls', 'urls', frame.topUrls);
    replaceData('chart-ips', 'ips', frame.topIps);
  }

  function draw(frame) {
    latest = frame;
    setText('title', `${frame.command} · ${frame.source}${frame.done ? ' · input ended' : ''}`);
    document.title = `${frame.command} · loglab`;
    setText('clock', `${dateTime(frame.now)} UTC`);
    setText(
      'event-time',
      frame.eventTime === null && frame.done ? 'end of input' : dateTime(frame.eventTime),
    );
    setText(
      'window',
      frame.window === null
        ? '—'
        : `${short(frame, frame.window.start)}–${short(frame, frame.window.end)} (${duration(frame.windowMs)}, every ${duration(frame.hopMs)})`,
    );
    setText(
      'watermark',
      frame.watermark === null && frame.done ? 'end of input' : dateTime(frame.watermark),
    );
    setText('lateness', duration(frame.latenessMs));
    setText('late', count(frame.late));
    setText('read', count(frame.read));
    setText('rate', count(frame.rate));
    setText('rejected', count(frame.rejected));
    setText('lag', frame.lag === null ? '—' : count(frame.lag));
    drawOpen(frame);
    drawRecent(frame);
    if (chartsReady) drawCharts(frame);
    if (frame.done) setStatus('ended', 'input ended');
    else setStatus('live', 'live');
  }

  async function setUpCharts() {
    const specs = await (await fetch('/charts.json')).json();
    for (const [id, spec] of Object.entries(specs)) {
      const runtime = vega.parse(vegaLite.compile(spec).spec);
      const view = new vega.View(runtime, { renderer: 'svg', container: byId(id), hover: false });
      await view.runAsync();
      views.set(id, view);
    }
    chartsReady = true;
    if (latest !== null) drawCharts(latest);
  }

  function connect() {
    const source = new EventSource('/events');
    source.addEventListener('frame', (event) => draw(JSON.parse(event.data)));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        setStatus('reconnecting', 'reconnecting…');
        setTimeout(connect, 1000);
      } else {
        setStatus('reconnecting', 'reconnecting…');
      }
    });
  }

  connect();
  setUpCharts().catch((err) => {
    for (const id of ['chart-series', 'chart-urls', 'chart-ips']) {
      byId(id).textContent = `chart failed: ${err?.message ?? String(err)}`;
    }
  });
})();
