// splitbench live page: one row per model, one column per topology, fed by /api/events (SSE).
/* global uPlot, document, getComputedStyle, fetch, devicePixelRatio, EventSource */
(function () {
  'use strict';
  const FAULTS = ['crash', 'exception', 'cpu', 'leak', 'hang', 'error', 'slow'];
  const WORDS = { green: 'OK', amber: 'SLOW', red: 'DOWN', grey: 'STARTING' };
  const SHORT = { monolith: 'mono', microservices: 'micro' };
  const WINDOW_S = 300;
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();

  const store = { state: null, bins: {}, events: [], charts: new Map(), built: false };
  const $ = (id) => document.getElementById(id);

  /** Shows a status line (errors in their own colour). */
  function say(text, isError) {
    const status = $('status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  /** Sends a control request; one click = one call. */
  async function control(method, path, body, label) {
    say(`${label}…`);
    try {
      const response = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) return say(`${label}: ${answer.error || `HTTP ${response.status}`}`, true);
      say(answer.dir ? `${label}: saved to ${answer.dir}` : `${label}: done`);
    } catch (error) {
      say(`${label}: ${error.message}`, true);
    }
  }

  /** A button that runs one control. */
  function button(text, title, onClick, attrs) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.title = title;
    for (const [k, v] of Object.entries(attrs || {})) b.dataset[k] = v;
    b.addEventListener('click', onClick);
    return b;
  }

  /** Fault and redeploy buttons for one topology (or both) and one model. */
  function controlsFor(topology, model) {
    const box = document.createElement('div');
    box.className = 'controls';
    for (const kind of FAULTS) {
      box.appendChild(button(kind, `inject ${kind} into ${model} (${topology})`, () => control('POST', '/api/faults', { topology, model, kind }, `${kind} → ${model} (${topology})`), { action: 'fault', kind }));
    }
    if (topology !== 'both') {
      const sep = document.createElement('span');
      sep.className = 'sep';
      box.appendChild(sep);
      for (const strategy of ['recreate', 'rolling']) {
        box.appendChild(button(`⟳ ${strategy}`, `redeploy ${model} (${strategy}) in ${topology}`, () => control('POST', '/api/redeploy', { topology, model, strategy }, `${strategy} ${model} (${topology})`), { action: 'redeploy', strategy }));
      }
    }
    return box;
  }

  /** Draws fault bands and event lines with labels on a chart. */
  function markerPlugin(topology) {
    return {
      hooks: {
        draw: [
          (u) => {
            const { ctx } = u;
            const top = u.bbox.top;
            const height = u.bbox.height;
            const [xMin, xMax] = [u.scales.x.min, u.scales.x.max];
            const t0 = store.state ? store.state.startedAtMs : 0;
            const mine = store.events.filter((e) => e.topology === topology || e.topology === null);
            ctx.save();
            // Bands: from a fault to the next disarm (or now).
            let armedAt = null;
            const bands = [];
            for (const e of mine) {
              if (e.kind === 'fault' && armedAt === null) armedAt = (e.atMs - t0) / 1000;
              if ((e.kind === 'disarm' || e.kind === 'reset') && armedAt !== null) {
                bands.push([armedAt, (e.atMs - t0) / 1000]);
                armedAt = null;
              }
            }
            if (armedAt !== null) bands.push([armedAt, xMax]);
            ctx.fillStyle = 'rgba(213, 94, 0, 0.22)';
            for (const [a, b] of bands) {
              if (b < xMin || a > xMax) continue;
              const x1 = u.valToPos(Math.max(a, xMin), 'x', true);
              const x2 = u.valToPos(Math.min(b, xMax), 'x', true);
              ctx.fillRect(x1, top, Math.max(2, x2 - x1), height);
            }
            ctx.font = `${Math.round(14 * devicePixelRatio)}px system-ui, sans-serif`;
            let row = 0;
            for (const e of mine) {
              if (e.kind === 'process' && !/exit|restart/.test(e.label)) continue;
              const t = (e.atMs - t0) / 1000;
              if (t < xMin || t > xMax) continue;
              const x = u.valToPos(t, 'x', true);
              ctx.strokeStyle = e.kind === 'fault' ? color('--red') : e.kind.startsWith('redeploy') ? color('--p50') : color('--mark');
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.setLineDash(e.kind === 'fault' ? [] : [6 * devicePixelRatio, 4 * devicePixelRatio]);
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + height);
              ctx.stroke();
              if (e.kind !== 'process') {
                // Label to the right of the line, or to its left near the right edge.
                const text = e.label.slice(0, 28);
                const right = x + ctx.measureText(text).width + 8 * devicePixelRatio < u.bbox.left + u.bbox.width;
                ctx.textAlign = right ? 'left' : 'right';
                ctx.textBaseline = 'top';
                ctx.fillStyle = color('--fg');
                ctx.fillText(text, x + (right ? 4 : -4) * devicePixelRatio, top + (2 + 16 * (row++ % 3)) * devicePixelRatio);
              }
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  /** A uPlot chart sized to its cell. */
  function makeChart(el, topology, series, axes, height, logY) {
    const width = Math.max(300, el.clientWidth - 4);
    const opts = {
      width,
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: logY ? { distr: 3, log: 10 } : { range: (u, min, max) => [0, Math.max(1, max)] } },
      axes: [
        { stroke: color('--fg'), grid: { stroke: '#333' }, ticks: { stroke: '#555' }, font: '14px system-ui', values: (u, vals) => vals.map((v) => `${Math.round(v)}s`) },
        { stroke: color('--fg'), grid: { stroke: '#333' }, ticks: { stroke: '#555' }, font: '14px system-ui', size: 60, label: axes, labelFont: '14px system-ui', labelSize: 18 },
      ],
      series: [{}, ...series],
      plugins: [markerPlugin(topology)],
    };
    return new uPlot(opts, [[], ...series.map(() => [])], el);
  }

  /** Builds the grid once the first state names the topologies and models. */
  function build(state) {
    const grid = $('grid');
    grid.innerHTML = '';
    grid.appendChild(document.createElement('div'));
    for (const t of state.topologies) {
      const head = document.createElement('div');
      head.className = 'colhead';
      head.dataset.topology = t.topology;
      head.innerHTML = `${t.topology} <small>${t.variant} · <span class="cpu"></span></small>`;
      grid.appendChild(head);
    }
    const models = state.topologies[0].models.map((m) => m);
    for (const m of models) {
      const rowhead = document.createElement('div');
      rowhead.className = 'rowhead';
      rowhead.dataset.model = m.model;
      rowhead.innerHTML = `<div class="name">${m.model}</div><div class="muted">SLO ${m.sloMs} ms · ${m.rateRps} req/s</div><div class="muted">both:</div>`;
      const both = controlsFor('both', m.model);
      both.classList.add('both');
      rowhead.appendChild(both);
      grid.appendChild(rowhead);
      for (const t of state.topologies) {
        const cell = document.createElement('div');
        cell.className = 'cell';
        cell.dataset.topology = t.topology;
        cell.dataset.model = m.model;
        cell.innerHTML = `<div class="top"><div class="tile" data-health="grey"><div class="word">…</div><div class="why"></div></div><div class="figures"></div></div>`;
        cell.appendChild(controlsFor(t.topology, m.model));
        const lat = document.createElement('div');
        lat.className = 'chart latency';
        const tput = document.createElement('div');
        tput.className = 'chart throughput';
        cell.appendChild(lat);
        cell.appendChild(tput);
        grid.appendChild(cell);
        const latency = makeChart(lat, t.topology, [
          { label: 'p50 ms', stroke: color('--p50'), width: 3 },
          { label: 'p99 ms', stroke: color('--p99'), width: 3 },
        ], 'ms', 130, true);
        const throughput = makeChart(tput, t.topology, [
          { label: 'ok/s', stroke: color('--ok'), width: 3 },
          { label: 'errors/s', stroke: color('--err'), width: 3, fill: 'rgba(213,94,0,0.35)' },
        ], 'req/s', 100, false);
        store.charts.set(`${t.topology}|${m.model}`, { latency, throughput });
      }
    }
    store.built = true;
  }

  /** Merges bins (by second) into the store. */
  function mergeBins(bins) {
    for (const [topology, models] of Object.entries(bins)) {
      store.bins[topology] = store.bins[topology] || {};
      for (const [model, list] of Object.entries(models)) {
        const byT = store.bins[topology][model] || new Map();
        for (const bin of list) byT.set(bin.t, bin);
        store.bins[topology][model] = byT;
      }
    }
  }

  /** Redraws every chart from the store. */
  function drawCharts() {
    const viewFrom = store.state ? store.state.viewFromT : 0;
    for (const [key, charts] of store.charts) {
      const [topology, model] = key.split('|');
      const byT = (store.bins[topology] || {})[model];
      if (!byT) continue;
      const list = [...byT.values()].filter((b) => b.t >= viewFrom).sort((a, b) => a.t - b.t);
      const now = store.state ? (store.state.nowMs - store.state.startedAtMs) / 1000 : 0;
      const shown = list.filter((b) => b.t > now - WINDOW_S);
      const xRange = { min: Math.max(viewFrom, now - WINDOW_S), max: Math.max(now, viewFrom + 10) };
      const x = shown.map((b) => b.t + 0.5);
      const pos = (v) => (v === null || v <= 0 ? null : v);
      charts.latency.setData([x, shown.map((b) => pos(b.p50Ms)), shown.map((b) => pos(b.p99Ms))]);
      charts.throughput.setData([x, shown.map((b) => b.ok), shown.map((b) => b.errors)]);
      // The x axis runs to now, so a fault just injected is marked before its first bin is complete.
      charts.latency.setScale('x', xRange);
      charts.throughput.setScale('x', xRange);
      // Number of seconds drawn, for scripts and tests that check the charts are fed.
      charts.latency.root.parentElement.dataset.points = String(x.length);
      charts.throughput.root.parentElement.dataset.points = String(x.length);
    }
  }

  /** Number with a unit, or a dash. */
  function fmt(value, unit, digits) {
    return value === null || value === undefined ? '–' : `${value.toFixed(digits)}${unit}`;
  }

  /** Updates tiles, figures, the summary and the shared-CPU line from a state. */
  function showState(state) {
    store.state = state;
    if (!store.built) build(state);
    $('clock').textContent = `· ${Math.floor((state.nowMs - state.startedAtMs) / 1000)} s`;
    const summary = $('summary');
    summary.innerHTML = '';
    for (const t of state.topologies) {
      const box = document.createElement('div');
      box.dataset.topology = t.topology;
      box.className = `affected${t.modelsDown > 0 ? ' bad' : t.modelsAffected > 0 ? ' slow' : ''}`;
      box.textContent = `${t.topology}: ${t.modelsAffected} of ${t.models.length} models affected (${t.modelsDown} down, ${t.modelsAffected - t.modelsDown} slow)${t.busy ? ` · ${t.busy}` : ''}`;
      summary.appendChild(box);
      const head = document.querySelector(`.colhead[data-topology="${t.topology}"] .cpu`);
      if (head) head.textContent = `${t.pinned ? `CPU ${t.cpus.join(',')}` : `not pinned${t.pinReason ? ` (${t.pinReason})` : ''}`} · uses ${fmt(t.cpuCores, ' cores', 2)} · ${t.processes.length} process${t.processes.length > 1 ? 'es' : ''}`;
      for (const m of t.models) {
        const cell = document.querySelector(`.cell[data-topology="${t.topology}"][data-model="${m.model}"]`);
        if (!cell) continue;
        const tile = cell.querySelector('.tile');
        tile.dataset.health = m.health;
        tile.querySelector('.word').textContent = WORDS[m.health];
        tile.querySelector('.why').textContent = m.reason;
        cell.querySelector('.figures').innerHTML = `p50 ${fmt(m.p50Ms, ' ms', 1)} · p99 ${fmt(m.p99Ms, ' ms', 1)}<br>${fmt(m.rps, ' ok/s', 0)} · errors ${m.errorRate === null ? '–' : `${Math.round(m.errorRate * 100)}%`}<br>v${m.version}${m.armedFaults.length ? ` · <span class="armed">armed: ${m.armedFaults.join(', ')}</span>` : ''}`;
      }
    }
    const s = state.shared;
    $('shared').textContent = `Shared by both: the harness (load generator + this page's server, pid ${s.harnessPid}, CPUs ${s.harnessCpus.join(',')}) using ${fmt(s.harnessCores, ' cores', 2)}; ${s.note}. Machine: ${s.machineCores} cores, ${fmt(s.freeCores, ' cores', 2)} left free by live mode.${state.saved ? ` Saved: ${state.saved}` : ''}`;
  }

  /** Adds an event to the log list. */
  function logEvent(event) {
    const item = document.createElement('li');
    const t0 = store.state ? store.state.startedAtMs : event.atMs;
    item.textContent = `${((event.atMs - t0) / 1000).toFixed(1)} s · ${event.topology ? `${SHORT[event.topology]} · ` : ''}${event.label}`;
    $('log').prepend(item);
  }

  /** Handles one server-sent message. */
  function onMessage(message) {
    if (message.type === 'history') {
      store.bins = {};
      store.events = message.events;
      $('log').innerHTML = '';
      showState(message.state);
      for (const e of message.events) logEvent(e);
      mergeBins(message.bins);
      drawCharts();
      say('live');
    } else if (message.type === 'tick') {
      showState(message.state);
      mergeBins(message.bins);
      drawCharts();
    } else if (message.type === 'event') {
      store.events.push(message.event);
      logEvent(message.event);
    }
  }

  $('disarm').addEventListener('click', () => control('DELETE', '/api/faults', null, 'disarm all'));
  $('reset').addEventListener('click', () => control('POST', '/api/reset', null, 'reset'));
  $('save').addEventListener('click', () => control('POST', '/api/save', null, 'save'));
  const source = new EventSource('/api/events');
  source.onmessage = (event) => onMessage(JSON.parse(event.data));
  source.onerror = () => say('connection lost: is `splitbench live` still running? (retrying)', true);
})();
