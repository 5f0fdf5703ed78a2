// The shoal dashboard: polls /status and /transfers once a second with the session cookie and
// redraws. Names, addresses and catalogs come from peers: they are only ever inserted as text
// (textContent), never as markup.
'use strict';

const POLL_INTERVAL_MS = 1000;
// One throughput sample per poll: five minutes of them.
const CHART_SAMPLES = 300;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

const samples = [];

function bytes(n) {
  let v = Number(n) || 0;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return (u === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + UNITS[u];
}

function duration(seconds) {
  if (!isFinite(seconds) || seconds < 0) {
    return 'unknown';
  }
  const s = Math.round(seconds);
  if (s < 60) {
    return s + ' s';
  }
  if (s < 3600) {
    return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

function shortId(hex) {
  return String(hex).slice(0, 12);
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) {
    e.textContent = String(text);
  }
  if (className) {
    e.className = className;
  }
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    tr.appendChild(c instanceof Node ? c : el('td', c));
  }
  return tr;
}

function showConnection(text, isError) {
  const c = document.getElementById('connection');
  c.textContent = text;
  c.classList.toggle('error', isError);
}

function renderStatus(status) {
  const self = status.node;
  document.getElementById('node-id').textContent = shortId(self.id);
  document.getElementById('node-info').textContent =
    'cluster ' + self.clusterId + ' · peers at ' + self.peerAddress + ' · ' +
    (self.secure ? 'TLS' : 'insecure') + ' · health ' + self.localHealth;
  const members = status.members.slice().sort((a, b) => String(a.id).localeCompare(String(b.id)));
  document.getElementById('members').replaceChildren(...members.map((m) => {
    const state = String(m.state);
    const stateCell = el('td', state, 'state-' + state.replace(/[^a-z]/g, ''));
    return row([
      el('td', shortId(m.id) + (m.self ? ' (this node)' : ''), 'mono'),
      el('td', m.address, 'mono'),
      stateCell,
      String(m.incarnation),
      m.self ? '—' : duration(m.lastContactMillisAgo / 1000) + ' ago',
    ]);
  }));
  document.getElementById('winners').replaceChildren(...status.winners.map((w) => row([
    w.name, String(w.version), bytes(w.sizeBytes),
    String(w.completeHolders.length), String(w.partialHolders.length),
  ])));
  const catalogRows = [];
  for (const owner of status.catalogs) {
    for (const entry of owner.entries) {
      const held = entry.versions.map((v) =>
        'v' + v.version + ' ' + (v.complete ? 'complete' : 'partial') + ' ' + bytes(v.sizeBytes) +
        (v.trusted ? '' : ' (untrusted)')).join(', ');
      catalogRows.push(row([el('td', shortId(owner.owner), 'mono'), entry.name, held]));
    }
  }
  document.getElementById('catalogs').replaceChildren(...catalogRows);
}

function renderTransfers(transfers) {
  document.getElementById('no-transfers').hidden = transfers.length > 0;
  document.getElementById('transfers').replaceChildren(...transfers.map((t) => {
    const li = el('li', null, 'transfer');
    li.dataset.name = t.name;
    li.dataset.doneBytes = String(t.doneBytes);
    li.dataset.totalBytes = String(t.totalBytes);
    li.appendChild(el('div', t.name + '@' + t.version, 'transfer-name'));
    const bar = document.createElement('progress');
    if (t.totalBytes > 0) {
      bar.max = t.totalBytes;
      bar.value = t.doneBytes;
    }
    li.appendChild(bar);
    const pct = t.totalBytes > 0 ? (100 * t.doneBytes / t.totalBytes).toFixed(1) + '%' : 'metadata';
    const eta = t.bytesPerSecond > 0 ? (t.totalBytes - t.doneBytes) / t.bytesPerSecond : NaN;
    li.appendChild(el('div',
      bytes(t.doneBytes) + ' of ' + bytes(t.totalBytes) + ' (' + pct + ') · rate ' +
      bytes(t.bytesPerSecond) + '/s · ETA ' + duration(eta) + ' · ' + t.peers +
      (t.peers === 1 ? ' peer' : ' peers'),
      'transfer-detail'));
    return li;
  }));
  const total = transfers.reduce((sum, t) => sum + (Number(t.bytesPerSecond) || 0), 0);
  samples.push(total);
  if (samples.length > CHART_SAMPLES) {
    samples.shift();
  }
  drawChart();
}

function drawChart() {
  const canvas = document.getElementById('throughput');
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  const left = 70;
  const bottom = h - 20;
  const top = 10;
  ctx.clearRect(0, 0, w, h);
  const peak = Math.max(1, ...samples);
  document.getElementById('chart-peak').textContent = bytes(Math.max(0, ...samples)) + '/s';
  ctx.strokeStyle = '#e1e4e8';
  ctx.fillStyle = '#5a6672';
  ctx.font = '11px sans-serif';
  for (let i = 0; i <= 2; i++) {
    const y = bottom - (bottom - top) * i / 2;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(w, y);
    ctx.stroke();
    ctx.fillText(bytes(peak * i / 2) + '/s', 2, y + 4);
  }
  ctx.fillText('-5 min', left, h - 4);
  ctx.fillText('now', w - 24, h - 4);
  const step = (w - left) / (CHART_SAMPLES - 1);
  const x0 = left + (CHART_SAMPLES - samples.length) * step;
  ctx.strokeStyle = '#0969da';
  ctx.lineWidth = 2;
  ctx.beginPath();
  samples.forEach((s, i) => {
    const x = x0 + i * step;
    const y = bottom - (bottom - top) * s / peak;
    if (i === 0) {
      ctx.moveTo(x, y);
    } else {
      ctx.lineTo(x, y);
    }
  });
  ctx.stroke();
  if (samples.length > 0) {
    ctx.lineTo(x0 + (samples.length - 1) * step, bottom);
    ctx.lineTo(x0, bottom);
    ctx.closePath();
    ctx.fillStyle = 'rgba(9, 105, 218, 0.15)';
    ctx.fill();
  }
  ctx.lineWidth = 1;
}

async function getJson(path) {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (r.status === 401) {
    throw new Error('not signed in, or the session expired: run "shoal ui" for a new link');
  }
  if (!r.ok) {
    throw new Error(path + ' answered HTTP ' + r.status);
  }
  return r.json();
}

async function poll() {
  try {
    const [status, transfers] = await Promise.all([getJson('/status'), getJson('/transfers')]);
    renderStatus(status);
    renderTransfers(transfers);
    showConnection('updated ' + new Date().toLocaleTimeString(), false);
  } catch (e) {
    showConnection(e.message, true);
  } finally {
    setTimeout(poll, POLL_INTERVAL_MS);
  }
}

document.addEventListener('DOMContentLoaded', poll);
