// pilha's dashboard page: server-sent events from /events (a hello with the history, then a frame at most
// ten times a second), drawn into the layer boxes, the connections table, a uPlot chart of the selected
// connection and the feeds. Every history here is bounded too, so a page left open for hours stays small.
/* global uPlot */

const MAX_POINTS = 3000; // chart points kept per connection
const MAX_SERIES = 32; // connections whose points are kept
const MAX_EVENTS = 500; // loss events kept (for the chart's marks)
const MAX_EVENT_ROWS = 100;
const MAX_REASSEMBLY_ROWS = 50;
const FLASH_MS = 2000; // how long a moved drop counter stays highlighted
const FADE_MS = 3000; // a closed connection fades out over this long (the server removes it then)
const UNSET_SSTHRESH = 2147483647;

const EVENT_KINDS = {
  fast_retransmit: ['fast-retransmit', 'fast retransmit'],
  sack_recovery_enter: ['fast-retransmit', 'fast retransmit (SACK recovery)'],
  timeout: ['rto', 'RTO'],
  tlp: ['tlp', 'tail loss probe'],
  tlp_loss: ['tlp', 'TLP repaired a loss'],
  silence_probe: ['tlp', 'silence probe'],
  undo: ['undo', 'undo'],
  recovery_exit: ['other', 'recovery exit'],
  sack_recovery_exit: ['other', 'SACK recovery exit'],
  idle_restart: ['other', 'idle restart'],
};
const KIND_COLORS = { 'fast-retransmit': '#ffa23a', rto: '#ff6b5b', tlp: '#c58cff', undo: '#5fd38d' };

/** What the page holds; also read by the browser test (window.pilhaDashboard). */
const state = {
  frames: 0,
  t: 0,
  series: new Map(), // conn id → { x, cwnd, ssthresh, inflight, lastSeen }
  events: [], // { t, conn, event }
  selected: undefined,
  userSelected: false,
  connections: [],
  layers: [],
  flashes: new Map(), // `${layer}.${counter}` → until (page time)
};
window.pilhaDashboard = {
  get frames() {
    return state.frames;
  },
  get selected() {
    return state.selected;
  },
  chartPoints(conn) {
    const s = state.series.get(conn ?? state.selected);
    return s === undefined ? 0 : s.x.length;
  },
  get events() {
    return state.events.length;
  },
  counter(layer, name) {
    return state.layers.find((l) => l.name === layer)?.counters[name];
  },
};

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function fmtNumber(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function fmtBytes(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

function fmtMs(n) {
  return n === null || n === undefined ? '–' : `${n < 10 ? n.toFixed(2) : Math.round(n)} ms`;
}

function fmtTime(ms) {
  return `${(ms / 1000).toFixed(3)} s`;
}

// ─── Layers ──────────────────────────────────────────────────────────────────────────────────────

/** Per layer: the counters that say packets and bytes in and out, and the ones worth a line of their own. */
const LAYER_VIEW = {
  link: { label: 'link', in: ['rxPackets', 'rxBytes'], out: ['txPackets', 'txBytes'], key: [] },
  ethernet: {
    label: 'Ethernet / ARP',
    in: ['rxFrames', 'rxBytes'],
    out: ['txFrames', 'txBytes'],
    key: ['arpRxRequests', 'arpRxReplies', 'arpTxRequests', 'arpTxReplies'],
  },
  ip: {
    label: 'IPv4',
    in: ['rxPackets', 'rxBytes'],
    out: ['txPackets', 'txBytes'],
    key: ['reassembled', 'rxFragments', 'txFragments'],
  },
  icmp: {
    label: 'ICMP',
    in: ['rxMessages'],
    out: ['txEchoReplies'],
    key: ['rxEchoRequests', 'txDestUnreachable'],
  },
  tcp: {
    label: 'TCP',
    in: ['segmentsReceived', 'bytesReceived'],
    out: ['segmentsSent', 'bytesSent'],
    key: ['established', 'retransmitted', 'fastRetransmits', 'timeouts', 'tlpProbes', 'undos'],
  },
  app: {
    label: 'app',
    // HttpApp counts requests, FramedEchoApp messages.
    in: [['requests', 'messages'], 'bytesReceived'],
    out: ['connections', 'bytesSent'],
    key: ['activeConnections', 'aborted', 'messages', 'refused', 'incomplete'],
  },
};
const DROP_NAME = /^drop|Drop/;
const layerBoxes = new Map();

function ioText(layer, names, dir) {
  // A name may be a list of candidates: the first counter the layer has.
  const [packets, bytes] = names.map((n) => (Array.isArray(n) ? n.find((c) => c in layer.counters) : n));
  const rate = (n) => (n === undefined ? 0 : (layer.rates[n] ?? 0));
  const p = packets === undefined ? '' : `${fmtNumber(rate(packets))}/s`;
  const b = bytes === undefined ? '' : ` · ${fmtBytes(rate(bytes))}/s`;
  return `${dir} ${p}${b}`;
}

function renderLayers(layers, now) {
  const container = $('#layers');
  // Top of the stack first, as the layers are drawn in a book.
  const ordered = [...layers].reverse();
  for (const layer of ordered) {
    const view = LAYER_VIEW[layer.name] ?? { label: layer.name, in: [], out: [], key: [] };
    let box = layerBoxes.get(layer.name);
    if (box === undefined) {
      box = el('div', { class: 'layer', 'data-layer': layer.name });
      layerBoxes.set(layer.name, box);
    }
    container.append(box); // keeps the order
    for (const name of layer.dropsMoved) state.flashes.set(`${layer.name}.${name}`, now + FLASH_MS);
    const key = view.key
      .filter((n) => layer.counters[n] !== undefined)
      .map((n) => {
        const r = layer.rates[n];
        return el(
          'span',
          { 'data-counter': n },
          `${n} `,
          el('b', {}, fmtNumber(layer.counters[n])),
          r ? ` (+${fmtNumber(r)}/s)  ` : '  ',
        );
      });
    const drops = Object.entries(layer.counters)
      .filter(([n, v]) => DROP_NAME.test(n) && v > 0)
      .map(([n, v]) => {
        const moved = (state.flashes.get(`${layer.name}.${n}`) ?? 0) > now;
        return el(
          'span',
          { class: moved ? 'drop moved' : 'drop', 'data-counter': n },
          `${n} ${fmtNumber(v)}`,
        );
      });
    const all = el(
      'table',
      {},
      ...Object.entries(layer.counters)
        .filter(([, v]) => v !== 0)
        .map(([n, v]) => el('tr', {}, el('td', {}, n), el('td', {}, fmtNumber(v)))),
    );
    const details = box.querySelector('details');
    const open = details?.open ?? false;
    const newDetails = el('details', { open }, el('summary', {}, 'all counters'), all);
    box.replaceChildren(
      el('h3', {}, view.label, el('small', {}, layer.name)),
      el(
        'div',
        { class: 'io' },
        el('span', {}, ioText(layer, view.in, 'in')),
        el('span', {}, ioText(layer, view.out, 'out')),
      ),
      el('div', { class: 'key' }, ...key),
      el('div', { class: 'drops' }, ...drops),
      newDetails,
    );
  }
}

// ─── Connections ─────────────────────────────────────────────────────────────────────────────────

function renderConnections(connections, count, t) {
  state.connections = connections;
  const live = connections.filter((c) => c.closedAt === undefined);
  if (!state.userSelected || !connections.some((c) => c.id === state.selected)) {
    // Follow the busiest live connection until the user picks one.
    const busiest = [...live].sort(
      (a, b) => b.bytesSent + b.bytesReceived - (a.bytesSent + a.bytesReceived),
    )[0];
    if (busiest !== undefined && busiest.id !== state.selected) selectConnection(busiest.id, false);
  }
  $('#conn-count').textContent = `${count} open`;
  const rows = connections.map((c) => {
    const closed = c.closedAt !== undefined;
    const row = el(
      'tr',
      {
        class: `${closed ? 'closed' : ''} ${c.id === state.selected ? 'selected' : ''}`,
        'data-id': c.id,
        'data-state': c.state,
      },
      el('td', { class: `state-${c.state}` }, c.state),
      el('td', {}, `${c.localAddress}:${c.localPort}`),
      el('td', {}, `${c.remoteAddress}:${c.remotePort}`),
      el('td', {}, `${c.congestionControl}${c.sack ? '+sack' : ''}`),
      el('td', {}, fmtBytes(c.cwnd)),
      el('td', {}, c.ssthresh >= UNSET_SSTHRESH ? '–' : fmtBytes(c.ssthresh)),
      el('td', {}, fmtMs(c.srtt)),
      el('td', {}, fmtMs(c.rto)),
      el('td', {}, fmtBytes(c.bytesInFlight)),
      el('td', {}, fmtNumber(c.retransmitted)),
      el('td', {}, fmtBytes(c.bytesSent)),
    );
    if (closed) row.style.opacity = String(Math.max(0.1, 1 - (t - c.closedAt) / FADE_MS));
    row.addEventListener('click', () => selectConnection(c.id, true));
    return row;
  });
  $('#connections tbody').replaceChildren(...rows);
}

function selectConnection(id, byUser) {
  state.selected = id;
  if (byUser) state.userSelected = true;
  $('#chart-conn').textContent = id;
  for (const row of document.querySelectorAll('#connections tbody tr')) {
    row.classList.toggle('selected', row.dataset.id === id);
  }
  redrawChart();
}

// ─── Chart ───────────────────────────────────────────────────────────────────────────────────────

let chart;

function seriesFor(conn) {
  let s = state.series.get(conn);
  if (s === undefined) {
    if (state.series.size >= MAX_SERIES) {
      let oldest;
      for (const [id, v] of state.series)
        if (oldest === undefined || v.lastSeen < state.series.get(oldest).lastSeen) oldest = id;
      state.series.delete(oldest);
    }
    s = { x: [], cwnd: [], ssthresh: [], inflight: [], lastSeen: 0 };
    state.series.set(conn, s);
  }
  return s;
}

function addPoints(conn, points) {
  const s = seriesFor(conn);
  for (const [t, cwnd, ssthresh, inflight] of points) {
    s.x.push(t / 1000);
    s.cwnd.push(cwnd);
    s.ssthresh.push(ssthresh >= UNSET_SSTHRESH ? null : ssthresh);
    s.inflight.push(inflight);
    s.lastSeen = t;
  }
  const over = s.x.length - MAX_POINTS;
  if (over > 0) for (const k of ['x', 'cwnd', 'ssthresh', 'inflight']) s[k].splice(0, over);
}

function addEvents(events) {
  for (const e of events) state.events.push(e);
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  const list = $('#events');
  for (const e of events) {
    const [kind, label] = EVENT_KINDS[e.event] ?? ['other', e.event];
    const remote = e.conn.split('>')[1] ?? e.conn;
    list.prepend(
      el(
        'li',
        { class: `ev ${kind}`, 'data-event': e.event, 'data-kind': kind },
        `${fmtTime(e.t)}  ${remote}  ${label}`,
      ),
    );
  }
  while (list.children.length > MAX_EVENT_ROWS) list.lastElementChild.remove();
}

/** Draws each loss event of the selected connection as a coloured rule across the plot. */
function drawEvents(u) {
  const ctx = u.ctx;
  const [min, max] = [u.scales.x.min, u.scales.x.max];
  ctx.save();
  ctx.lineWidth = Math.max(1, devicePixelRatio);
  for (const e of state.events) {
    if (e.conn !== state.selected) continue;
    const color = KIND_COLORS[(EVENT_KINDS[e.event] ?? ['other'])[0]];
    const x = e.t / 1000;
    if (color === undefined || x < min || x > max) continue;
    const px = Math.round(u.valToPos(x, 'x', true));
    ctx.strokeStyle = color;
    ctx.globalAlpha = 0.75;
    ctx.beginPath();
    ctx.moveTo(px, u.bbox.top);
    ctx.lineTo(px, u.bbox.top + u.bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

function makeChart() {
  const target = $('#chart');
  const axis = { stroke: '#a8b4c0', grid: { stroke: '#2a3540' }, ticks: { stroke: '#2a3540' } };
  chart = new uPlot(
    {
      width: Math.max(300, target.clientWidth - 2),
      height: 260,
      scales: { x: { time: false } },
      series: [
        { label: 's' },
        {
          label: 'cwnd',
          stroke: '#4fb3ff',
          width: 1.5,
          points: { show: false },
          value: (_u, v) => fmtBytes(v),
        },
        {
          label: 'ssthresh',
          stroke: '#ffd166',
          width: 1.5,
          points: { show: false },
          value: (_u, v) => fmtBytes(v),
        },
        {
          label: 'bytes in flight',
          stroke: '#8899aa',
          width: 1,
          points: { show: false },
          value: (_u, v) => fmtBytes(v),
        },
      ],
      axes: [
        { ...axis, label: 'seconds' },
        { ...axis, size: 70, values: (_u, vals) => vals.map((v) => fmtBytes(v)) },
      ],
      hooks: { draw: [drawEvents] },
    },
    [[], [], [], []],
    target,
  );
  window.addEventListener('resize', () =>
    chart.setSize({ width: Math.max(300, target.clientWidth - 2), height: 260 }),
  );
}

function redrawChart() {
  if (chart === undefined) return;
  const s = state.series.get(state.selected);
  chart.setData(s === undefined ? [[], [], [], []] : [s.x, s.cwnd, s.ssthresh, s.inflight]);
}

// ─── Feeds ───────────────────────────────────────────────────────────────────────────────────────

function addReassembled(items) {
  const body = $('#reassembly tbody');
  for (const r of items) {
    body.prepend(
      el(
        'tr',
        {},
        el('td', {}, fmtTime(r.t)),
        el('td', {}, r.src),
        el('td', {}, r.id),
        el('td', {}, r.fragments),
        el('td', {}, `[${r.arrivalOrder.join(', ')}]`),
        el('td', {}, r.totalLength),
        el('td', {}, fmtMs(r.elapsedMs)),
      ),
    );
  }
  while (body.children.length > MAX_REASSEMBLY_ROWS) body.lastElementChild.remove();
}

function renderArp(arp) {
  const section = $('#arp-section');
  if (arp === undefined) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  $('#arp tbody').replaceChildren(
    ...arp.map((e) =>
      el(
        'tr',
        {},
        el('td', {}, e.ip),
        el('td', {}, e.mac ?? '–'),
        el('td', {}, e.state),
        el('td', {}, fmtTime(e.ageMs)),
        el('td', {}, e.queued),
      ),
    ),
  );
}

// ─── Events from the server ──────────────────────────────────────────────────────────────────────

function onHello(hello) {
  document.title = `pilha dashboard: ${hello.title}`;
  $('#title').textContent = hello.title;
  state.series.clear();
  state.events = [];
  $('#events').replaceChildren();
  $('#reassembly tbody').replaceChildren();
  for (const [conn, points] of Object.entries(hello.trace)) addPoints(conn, points);
  addEvents(hello.events);
  addReassembled(hello.reassembled);
  redrawChart();
}

function onFrame(frame) {
  state.frames++;
  state.t = frame.t;
  const now = performance.now();
  $('#clock').textContent = `t = ${fmtTime(frame.t)}`;
  for (const [conn, points] of Object.entries(frame.trace)) addPoints(conn, points);
  addEvents(frame.events);
  addReassembled(frame.reassembled);
  state.layers = frame.layers;
  renderLayers(frame.layers, now);
  renderConnections(frame.connections, frame.connectionCount, frame.t);
  renderArp(frame.arp);
  redrawChart();
}

function connect() {
  const source = new EventSource('/events');
  const status = $('#status');
  source.onopen = () => {
    status.textContent = 'live';
    status.className = 'status up';
  };
  source.onerror = () => {
    // EventSource reconnects by itself (the server asks for 2 s).
    status.textContent = 'reconnecting';
    status.className = 'status down';
  };
  source.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === 'hello') onHello(data);
    else if (data.type === 'frame') onFrame(data);
  };
}

makeChart();
connect();
