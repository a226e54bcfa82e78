// Lamina dashboard: reads /api/runs, follows /api/stream (server-sent events, resumed by Last-Event-ID) and draws
// the overview (page "overview") or the per-layer statistics (page "layers") with uPlot.
(function () {
  'use strict';
  const PAGE = document.body.dataset.page;
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  const MAX_SNAPSHOTS = 40;     // offset view: curves drawn per layer; more are thinned, and the page says so
  const runs = [];              // {info, begin, steps, epochs, layers, events, scalars, images, problem, received}
  const charts = {};
  const $ = (id) => document.getElementById(id);

  function emptyRun(info) {
    return {info: info, begin: null, steps: [], epochs: [], layers: [], events: [], scalars: {}, tbHist: {}, images: {}, problem: info.problem, received: 0};
  }

  function add(run, r) {
    switch (r.type) {
      case 'begin': run.begin = r; if (!run.info.settings || Object.keys(run.info.settings).length === 0) refreshInfo(); break;
      case 'step': run.steps.push(r); break;
      case 'epoch': run.epochs.push(r); break;
      case 'layers': run.layers.push(r); break;
      case 'event': run.events.push(r); break;
      case 'scalar': (run.scalars[r.tag] = run.scalars[r.tag] || []).push(r); break;
      case 'histogram': {
        const key = String(r.step) + '@' + r.wall;
        (run.tbHist[r.tag] = run.tbHist[r.tag] || []).push({step: r.step, time: r.wall, edges: r.edges, counts: r.counts, kind: 'histogram', name: r.tag, key: key});
        break;
      }
      case 'image': run.images[r.tag] = r; break;
      default: break;
    }
  }

  // ------------------------------------------------------------------------------------------------ the stream

  let source = null;
  function connect() {
    source = new EventSource('/api/stream');
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus('connection lost: reconnecting (resumes where it stopped)…');
    source.addEventListener('reset', () => {
      runs.forEach((run, i) => { runs[i] = emptyRun(run.info); });
      schedule();
    });
    source.addEventListener('records', (e) => {
      const msg = JSON.parse(e.data);
      const run = runs[msg.run];
      if (!run) return;
      const skip = run.received - msg.from;    // records this page already has (never expected; kept safe)
      for (let k = Math.max(0, skip); k < msg.records.length; k++) add(run, msg.records[k]);
      run.received = Math.max(run.received, msg.from + msg.records.length);
      run.problem = msg.problem;
      window.laminaDashboard.events++;
      schedule();
    });
  }

  let refreshing = false;
  function refreshInfo() {
    if (refreshing) return;
    refreshing = true;
    fetch('/api/runs').then(r => r.json()).then(list => {
      list.forEach((info, i) => { if (runs[i]) runs[i].info = info; });
      refreshing = false;
      schedule();
    }).catch(() => { refreshing = false; });
  }

  function setStatus(text) {
    const el = $('connection');
    if (el) el.textContent = text;
  }

  let pending = false, lastDraw = 0;
  function schedule() {
    if (pending) return;
    pending = true;
    const wait = Math.max(0, 400 - (Date.now() - lastDraw));
    setTimeout(() => { pending = false; lastDraw = Date.now(); draw(); }, wait);
  }

  function draw() {
    drawRuns();
    if (PAGE === 'overview') drawOverview();
    else if (PAGE === 'layers') drawLayers();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(digits === undefined ? 2 : digits);
    return v.toFixed(digits === undefined ? 4 : digits);
  }

  // an axis label: 3 significant digits, powers of ten for very small or large values, k and M for thousands
  function tick(v) {
    if (v === null || v === undefined) return '';
    const a = Math.abs(v);
    if (a === 0) return '0';
    if (a < 1e-2) return v.toExponential(1).replace('.0e', 'e');
    if (a >= 1e6) return parseFloat((v / 1e6).toPrecision(3)) + 'M';
    if (a >= 1e4) return parseFloat((v / 1e3).toPrecision(3)) + 'k';
    return String(parseFloat(v.toPrecision(3)));
  }

  function duration(s) {
    if (!Number.isFinite(s)) return '–';
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h > 0 ? h + ' h ' : '') + (h > 0 || m > 0 ? m + ' min ' : '') + sec + ' s';
  }

  function xOf(run, r) {
    const mode = $('x-axis') ? $('x-axis').value : 'step';
    if (mode === 'epoch') {
      if (r.type === 'epoch') return r.epoch;
      if (r.batches) return r.epoch - 1 + r.batch / r.batches;
      return run.begin && run.begin.batches_per_epoch ? r.step / run.begin.batches_per_epoch : r.step;
    }
    if (mode === 'elapsed') return r.time !== undefined ? r.time : r.wall - firstWall(run);
    if (mode === 'clock') return r.wall !== undefined ? r.wall : (run.begin ? run.begin.wall : 0) + r.time;
    return r.step;
  }

  function firstWall(run) {
    for (const tag in run.scalars) if (run.scalars[tag].length) return run.scalars[tag][0].wall;
    return 0;
  }

  function smooth(values, weight) {
    // TensorBoard's debiased exponential moving average
    const out = new Array(values.length);
    let last = 0, n = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || !Number.isFinite(v)) { out[i] = null; continue; }
      last = last * weight + (1 - weight) * v;
      n++;
      out[i] = last / (1 - Math.pow(weight, n));
    }
    return out;
  }

  function color(i) { return COLORS[i % COLORS.length]; }
  function fade(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }

  // series: [{label, xs, ys, stroke, width, dash, points}] with their own x values; merged on one x axis
  function plot(id, series, opts) {
    const el = $(id);
    if (!el) return;
    const logY = opts.logY;
    const clean = series.filter(s => s.xs.length > 0);
    const xsAll = new Set();
    clean.forEach(s => s.xs.forEach(x => xsAll.add(x)));
    const xs = Array.from(xsAll).sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const data = [xs];
    clean.forEach(s => {
      const col = new Array(xs.length).fill(null);
      for (let i = 0; i < s.xs.length; i++) {
        let y = s.ys[i];
        if (y === null || y === undefined || !Number.isFinite(y) || (logY && y <= 0)) y = null;
        col[index.get(s.xs[i])] = y;
      }
      data.push(col);
    });
    const key = JSON.stringify([clean.map(s => s.label + s.stroke + s.dash + s.points), logY, opts.xTime, opts.band]);
    const existing = charts[id];
    if (existing && existing.key === key) {
      existing.chart.setData(data);
      return;
    }
    if (existing) existing.chart.destroy();
    el.innerHTML = '';
    if (clean.length === 0) {
      el.innerHTML = '<p class="hint">no values yet</p>';
      delete charts[id];
      return;
    }
    const width = Math.max(300, el.clientWidth || 440);
    const options = {
      width: width, height: opts.height || 220,
      scales: {x: {time: !!opts.xTime}, y: logY ? {distr: 3} : {}},
      axes: [{}, {size: 64, values: (u, vals) => vals.map(tick)}],
      series: [{label: opts.xLabel || 'x'}].concat(clean.map(s => ({
        label: s.label, stroke: s.stroke, width: s.width || 1.5, dash: s.dash, spanGaps: true,
        points: {show: !!s.points, size: 6, fill: s.stroke},
        value: (u, v) => fmt(v),
      }))),
      legend: {live: true},
      hooks: opts.band ? {drawClear: [u => drawBand(u, opts.band)]} : {},
    };
    charts[id] = {key: key, chart: new uPlot(options, data, el)};
  }

  function drawBand(u, band) {
    const ctx = u.ctx;
    const top = u.valToPos(band.hi, 'y', true), bottom = u.valToPos(band.lo, 'y', true), mid = u.valToPos(band.mid, 'y', true);
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    ctx.fillStyle = 'rgba(46, 160, 67, 0.12)';
    ctx.fillRect(u.bbox.left, Math.min(top, bottom), u.bbox.width, Math.abs(bottom - top));
    ctx.strokeStyle = 'rgba(46, 160, 67, 0.8)';
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, mid);
    ctx.lineTo(u.bbox.left + u.bbox.width, mid);
    ctx.stroke();
    ctx.restore();
  }

  // ------------------------------------------------------------------------------------------------ runs

  function drawRuns() {
    const el = $('runs');
    if (!el) return;
    el.innerHTML = '';
    runs.forEach((run, i) => {
      const div = document.createElement('div');
      div.className = 'run';
      div.style.borderLeftColor = color(i);
      const s = run.info.settings || {};
      const last = run.steps[run.steps.length - 1];
      const end = run.events.filter(e => ['completed', 'early_stopping', 'non_finite', 'failed'].includes(e.event)).pop();
      const total = run.begin ? run.begin.epochs * run.begin.batches_per_epoch : null;
      let progress = '';
      if (last && total) {
        const recent = run.steps.slice(-50);
        const perStep = recent.length > 1 ? (recent[recent.length - 1].time - recent[0].time) / (recent.length - 1) : NaN;
        const eta = end ? 'finished' : 'ETA ' + duration(perStep * (total - last.step));
        progress = 'epoch ' + last.epoch + '/' + run.begin.epochs + ', step ' + last.step + '/' + total + ' · <span class="eta">' + eta + '</span>';
      }
      const lastEpoch = run.epochs[run.epochs.length - 1];
      const share = lastEpoch && lastEpoch.stats_share !== null && lastEpoch.stats_share !== undefined
        ? 'statistics: ' + (100 * lastEpoch.stats_share).toFixed(2) + '% of step time' + (lastEpoch.stats_share_epoch !== null && lastEpoch.stats_share_epoch !== undefined ? ' (last epoch ' + (100 * lastEpoch.stats_share_epoch).toFixed(2) + '%)' : '') : '';
      const links = ' · <a href="/api/runs/' + i + '/metrics.csv" download>CSV</a> <a href="/api/runs/' + i + '/records.json" download>JSON</a>';
      div.innerHTML = '<b>' + esc(run.info.name) + '</b> <span class="meta">' + esc(s.model || s.model_class || run.info.source) + ' · ' + esc(run.info.dir) + links + '</span><br>'
        + '<span class="meta">' + progress + (share ? ' · ' + share : '') + (end ? ' · ' + esc(end.event.replace('_', ' ')) : '') + '</span>'
        + (run.problem ? '<br><span class="problem">' + esc(run.problem) + '</span>' : '');
      el.appendChild(div);
    });
  }

  function esc(s) {
    return String(s === undefined || s === null ? '' : s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  }

  // ------------------------------------------------------------------------------------------------ overview

  function drawOverview() {
    const logY = $('log-y').checked, raw = $('show-raw').checked, w = parseFloat($('smoothing').value);
    const xTime = $('x-axis').value === 'clock';
    $('smoothing-value').textContent = w.toFixed(2);
    const loss = [], acc = [], lr = [], gn = [], tp = [];
    let points = 0;
    runs.forEach((run, i) => {
      const c = color(i), name = runs.length > 1 ? run.info.name + ' ' : '';
      const xs = run.steps.map(r => xOf(run, r));
      points += run.steps.length;
      const stepSeries = (into, field, label, logSmooth) => {
        const ys = run.steps.map(r => r[field]);
        if (raw) into.push({label: name + label + (w > 0 ? ' (raw)' : ''), xs: xs, ys: ys, stroke: w > 0 ? fade(c, 0.3) : c, width: 1});
        if (w > 0 && logSmooth !== false) into.push({label: name + label + ' (smoothed)', xs: xs, ys: smooth(ys, w), stroke: c, width: 2});
      };
      stepSeries(loss, 'loss', 'train loss (step)');
      stepSeries(gn, 'grad_norm', 'gradient norm');
      stepSeries(tp, 'samples_per_second', 'examples/s');
      lr.push({label: name + 'learning rate', xs: xs, ys: run.steps.map(r => r.lr), stroke: c});
      const ex = run.epochs.map(r => xOf(run, r));
      loss.push({label: name + 'train loss (epoch)', xs: ex, ys: run.epochs.map(r => r.train_loss), stroke: c, points: true, dash: [6, 3]});
      loss.push({label: name + 'validation loss', xs: ex, ys: run.epochs.map(r => r.val_loss), stroke: fade(c, 0.9), points: true, dash: [2, 2], width: 2.5});
      acc.push({label: name + 'train accuracy', xs: ex, ys: run.epochs.map(r => r.train_accuracy), stroke: c, points: true, dash: [6, 3]});
      acc.push({label: name + 'validation accuracy', xs: ex, ys: run.epochs.map(r => r.val_accuracy), stroke: c, points: true, width: 2.5});
    });
    const opts = {logY: logY, xTime: xTime, xLabel: $('x-axis').value};
    plot('chart-loss', loss, opts);
    plot('chart-accuracy', acc, {xTime: xTime, xLabel: opts.xLabel});
    plot('chart-lr', lr, opts);
    plot('chart-gradnorm', gn, opts);
    plot('chart-throughput', tp, {xTime: xTime, xLabel: opts.xLabel});
    const count = $('loss-points');
    count.textContent = points + ' points';
    count.dataset.points = String(points);
    drawConfusion();
    drawOtherScalars(opts);
    drawImages();
    drawEvents();
  }

  function drawConfusion() {
    const select = $('confusion-run'), slider = $('confusion-epoch');
    if (select.options.length !== runs.length) {
      select.innerHTML = runs.map((r, i) => '<option value="' + i + '">' + esc(r.info.name) + '</option>').join('');
    }
    const run = runs[parseInt(select.value || '0', 10)];
    const el = $('confusion');
    const withMatrix = run ? run.epochs.filter(e => e.confusion) : [];
    if (withMatrix.length === 0) {
      el.innerHTML = '<p class="hint">no confusion matrix yet (it comes with each epoch\'s evaluation of a classifier)</p>';
      return;
    }
    const atEnd = parseInt(slider.value, 10) >= parseInt(slider.max, 10);
    slider.max = String(withMatrix.length);
    if (atEnd) slider.value = slider.max;   // follow the newest epoch unless the user went back
    const e = withMatrix[Math.min(withMatrix.length, parseInt(slider.value, 10)) - 1];
    $('confusion-epoch-value').textContent = 'epoch ' + e.epoch + ' (accuracy ' + fmt(e.val_accuracy, 4) + ')';
    const names = (run.info.settings && run.info.settings.classes) || e.confusion.map((_, i) => String(i));
    let html = '<table class="confusion"><tr><th>actual \\ predicted</th>' + names.map(n => '<th>' + esc(n) + '</th>').join('') + '</tr>';
    e.confusion.forEach((row, a) => {
      const total = row.reduce((s, v) => s + v, 0) || 1;
      html += '<tr><th>' + esc(names[a]) + '</th>' + row.map((v, p) => {
        const share = v / total;
        const bg = p === a ? 'rgba(46,160,67,' + share.toFixed(3) + ')' : 'rgba(214,39,40,' + Math.min(1, 3 * share).toFixed(3) + ')';
        return '<td style="background:' + bg + '" title="' + (100 * share).toFixed(1) + '% of ' + esc(names[a]) + '">' + v + '</td>';
      }).join('') + '</tr>';
    });
    el.innerHTML = html + '</table>';
  }

  function drawOtherScalars(opts) {
    const section = $('other-scalars');
    const tags = new Set();
    runs.forEach(run => Object.keys(run.scalars).forEach(t => tags.add(t)));
    Array.from(tags).sort().forEach(tag => {
      const id = 'chart-tag-' + tag.replace(/[^A-Za-z0-9_-]/g, '_');
      if (!$(id)) {
        const card = document.createElement('div');
        card.className = 'card';
        card.innerHTML = '<h2>' + esc(tag) + '</h2><div id="' + id + '" class="chart"></div>';
        section.appendChild(card);
      }
      const series = [];
      const w = parseFloat($('smoothing').value);
      runs.forEach((run, i) => {
        const rs = run.scalars[tag] || [];
        const xs = rs.map(r => xOf(run, r)), ys = rs.map(r => r.value);
        if ($('show-raw').checked) series.push({label: run.info.name + (w > 0 ? ' (raw)' : ''), xs: xs, ys: ys, stroke: w > 0 ? fade(color(i), 0.3) : color(i), width: 1});
        if (w > 0) series.push({label: run.info.name + ' (smoothed)', xs: xs, ys: smooth(ys, w), stroke: color(i), width: 2});
      });
      plot(id, series, opts);
    });
  }

  function drawImages() {
    const section = $('images');
    section.innerHTML = '';
    runs.forEach(run => Object.keys(run.images).forEach(tag => {
      const img = run.images[tag];
      const card = document.createElement('div');
      card.className = 'card';
      card.innerHTML = '<h3>' + esc(run.info.name + ': ' + tag) + ' (step ' + img.step + ')</h3><img class="tb" alt="' + esc(tag) + '" src="data:image/png;base64,' + img.png + '">';
      section.appendChild(card);
    }));
  }

  function drawEvents() {
    const el = $('events');
    const items = [];
    runs.forEach((run, i) => run.events.forEach(e => items.push({run: run.info.name, e: e})));
    el.innerHTML = items.length ? items.map(it => '<li class="' + esc(it.e.event) + '"><b>' + esc(it.run) + '</b> step ' + esc(it.e.step) + ' · ' + esc(it.e.event.replace('_', ' ')) + ': ' + esc(it.e.message) + '</li>').join('')
      : '<li>none yet (checkpoints, early stopping, NaN stops, sampling changes appear here)</li>';
  }

  // ------------------------------------------------------------------------------------------------ layers

  function drawLayers() {
    const select = $('layer-run');
    if (select.options.length !== runs.length) {
      select.innerHTML = runs.map((r, i) => '<option value="' + i + '">' + esc(r.info.name) + '</option>').join('');
    }
    const run = runs[parseInt(select.value || '0', 10)];
    if (!run) return;
    const kind = $('layer-kind').value, view = $('layer-view').value;
    // snapshots by layer name: [{step, time, edges, counts, mean, std, zeros}]
    const byName = new Map();
    if (kind === 'histogram') {
      Object.keys(run.tbHist).forEach(tag => byName.set(tag, run.tbHist[tag]));
    } else {
      run.layers.forEach(l => l.hist.forEach(h => {
        if (h.kind !== kind) return;
        if (!byName.has(h.name)) byName.set(h.name, []);
        byName.get(h.name).push(Object.assign({step: l.step, time: l.time}, h));
      }));
    }
    drawThinningNote(run, byName);
    drawRatios(run);
    const grid = $('layer-grid');
    const wanted = new Set(Array.from(byName.keys()).map(n => 'layer-' + kind + '-' + n.replace(/[^A-Za-z0-9_-]/g, '_')));
    Array.from(grid.children).forEach(c => { if (!wanted.has(c.id)) grid.removeChild(c); });
    if (byName.size === 0) {
      grid.innerHTML = '<div class="card" id="layer-none"><p class="hint">no ' + esc(kind) + ' histograms in this run yet (they are recorded every few steps)</p></div>';
      return;
    }
    const none = $('layer-none');
    if (none) grid.removeChild(none);
    byName.forEach((snaps, name) => {
      const id = 'layer-' + kind + '-' + name.replace(/[^A-Za-z0-9_-]/g, '_');
      let card = $(id);
      if (!card) {
        card = document.createElement('div');
        card.className = 'card layer';
        card.id = id;
        card.innerHTML = '<h3>' + esc(name) + '</h3><canvas class="hist" width="600" height="260"></canvas><div class="axis-note"><span class="lo"></span><span class="mid"></span><span class="hi"></span></div><div class="layer-stats"></div>';
        grid.appendChild(card);
      }
      drawHistogram(card, snaps, view);
    });
  }

  function thin(snaps, max) {
    if (snaps.length <= max) return {shown: snaps, stride: 1};
    const stride = Math.ceil(snaps.length / max);
    const shown = [];
    for (let i = snaps.length - 1; i >= 0; i -= stride) shown.unshift(snaps[i]);   // always keep the newest
    return {shown: shown, stride: stride};
  }

  function drawThinningNote(run, byName) {
    const note = $('thinning-note');
    const parts = [];
    const changes = run.events.filter(e => e.event === 'sampling');
    if (run.layers.length) {
      const every = run.layers[run.layers.length - 1].every;
      parts.push('Statistics were recorded every ' + every + ' steps (' + run.layers.length + ' snapshots).');
    }
    if (changes.length) parts.push('Recording was thinned during the run to keep its cost under 5% of step time: ' + changes.map(c => 'at step ' + c.step + ' (' + c.message + ')').join('; ') + '.');
    const first = byName.values().next().value;
    if (first && first.length > MAX_SNAPSHOTS && $('layer-view').value === 'offset') {
      const t = thin(first, MAX_SNAPSHOTS);
      parts.push('The offset view shows ' + t.shown.length + ' of ' + first.length + ' snapshots (one in ' + t.stride + ', the newest always); the heat map shows all of them.');
    }
    const probe = run.info.settings && run.info.settings.activation_probe;
    if (probe && $('layer-kind').value === 'activation') parts.push('Activations: the layer outputs on a fixed probe batch (' + probe + ').');
    note.textContent = parts.join(' ');
  }

  function drawHistogram(card, snaps, view) {
    const canvas = card.querySelector('canvas');
    const ctx = canvas.getContext('2d');
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    let lo = Infinity, hi = -Infinity;
    snaps.forEach(s => { if (s.edges.length) { lo = Math.min(lo, s.edges[0]); hi = Math.max(hi, s.edges[s.edges.length - 1]); } });
    if (!(hi > lo)) { hi = lo + 1; }
    const X = v => (v - lo) / (hi - lo) * (W - 20) + 10;
    if (view === 'heat') {
      const bins = 64, cols = snaps.length, cw = (W - 20) / Math.max(1, cols);
      snaps.forEach((s, c) => {
        const dens = resample(s, lo, hi, bins);
        const max = Math.max.apply(null, dens) || 1;
        for (let b = 0; b < bins; b++) {
          const v = dens[b] / max;
          if (v <= 0) continue;
          ctx.fillStyle = 'rgba(31,119,180,' + Math.sqrt(v).toFixed(3) + ')';
          ctx.fillRect(10 + c * cw, H - 10 - (b + 1) * (H - 20) / bins, Math.ceil(cw), Math.ceil((H - 20) / bins));
        }
      });
      card.querySelector('.lo').textContent = 'x: snapshot, step ' + snaps[0].step + ' → ' + snaps[snaps.length - 1].step;
      card.querySelector('.mid').textContent = '';
      card.querySelector('.hi').textContent = 'y: value ' + fmt(lo, 3) + ' → ' + fmt(hi, 3);
    } else {
      const t = thin(snaps, MAX_SNAPSHOTS), shown = t.shown;
      const rowH = (H - 40) / Math.max(1, shown.length), amp = Math.min(60, rowH * 6);
      shown.forEach((s, k) => {
        const base = 30 + (k + 1) * rowH;   // oldest at the top, newest at the bottom, in front
        const total = s.counts.reduce((a, b) => a + b, 0) || 1;
        let max = 0;
        const dens = s.counts.map((c, i) => { const w = (s.edges[i + 1] - s.edges[i]) || 1; const d = c / total / w; max = Math.max(max, d); return d; });
        ctx.beginPath();
        ctx.moveTo(X(s.edges[0]), base);
        dens.forEach((d, i) => { const y = base - (max ? d / max : 0) * amp; ctx.lineTo(X(s.edges[i]), y); ctx.lineTo(X(s.edges[i + 1]), y); });
        ctx.lineTo(X(s.edges[s.edges.length - 1]), base);
        const shade = 0.25 + 0.75 * (k + 1) / shown.length;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fill();
        ctx.strokeStyle = 'rgba(31,119,180,' + shade.toFixed(3) + ')';
        ctx.stroke();
      });
      card.querySelector('.lo').textContent = fmt(lo, 3);
      card.querySelector('.mid').textContent = 'steps ' + shown[0].step + ' (top) → ' + shown[shown.length - 1].step + ' (bottom)';
      card.querySelector('.hi').textContent = fmt(hi, 3);
    }
    const last = snaps[snaps.length - 1];
    card.querySelector('.layer-stats').textContent = last.mean !== undefined
      ? 'step ' + last.step + ': mean ' + fmt(last.mean, 4) + ', std ' + fmt(last.std, 4) + ', zeros ' + (100 * last.zeros).toFixed(1) + '%' + (last.non_finite ? ', ' + last.non_finite + ' NaN/inf' : '')
      : 'step ' + last.step;
  }

  function resample(s, lo, hi, bins) {
    const out = new Array(bins).fill(0);
    for (let i = 0; i < s.counts.length; i++) {
      const mid = (s.edges[i] + s.edges[i + 1]) / 2;
      let b = Math.floor((mid - lo) / (hi - lo) * bins);
      b = Math.max(0, Math.min(bins - 1, b));
      out[b] += s.counts[i];
    }
    return out;
  }

  function drawRatios(run) {
    const names = [];
    run.layers.forEach(l => Object.keys(l.update_ratio || {}).forEach(n => { if (!names.includes(n)) names.push(n); }));
    const series = names.map((n, k) => {
      const rows = run.layers.filter(l => l.update_ratio && l.update_ratio[n] !== undefined);
      return {label: n, xs: rows.map(l => l.step), ys: rows.map(l => l.update_ratio[n]), stroke: color(k), width: 1.5};
    });
    plot('chart-ratio', series, {logY: true, xLabel: 'step', height: 260, band: {lo: Math.pow(10, -3.5), mid: 1e-3, hi: Math.pow(10, -2.5)}});
  }

  // ------------------------------------------------------------------------------------------------ start

  window.laminaDashboard = {events: 0, runs: runs};
  ['x-axis', 'smoothing', 'show-raw', 'log-y', 'confusion-run', 'confusion-epoch', 'layer-run', 'layer-kind', 'layer-view'].forEach(id => {
    const el = $(id);
    const redraw = () => { if (id === 'layer-kind' || id === 'layer-run') $('layer-grid').innerHTML = ''; draw(); };
    if (el) ['input', 'change'].forEach(type => el.addEventListener(type, redraw));
  });
  fetch('/api/runs').then(r => r.json()).then(list => {
    list.forEach(info => runs.push(emptyRun(info)));
    const link = $('explain-link');
    if (link && list.length) link.href = '/explain/0';
    draw();
    connect();
  }).catch(e => setStatus('could not load the runs: ' + e));
})();
