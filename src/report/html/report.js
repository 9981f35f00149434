// The report page. Everything shown from the scan goes into the page as text nodes or
// attribute values (never parsed as HTML), so a document's text cannot become markup.
'use strict';

const PAGE = 50;
const STATUS = ['unique', 'original', 'duplicate', 'rejected'];
const FLAGS = ['boilerplate_heavy', 'repetitive', 'keyword_stuffing', 'thin_content'];

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid == null || kid === false) continue;
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}
const $ = (id) => document.getElementById(id);
// Replaces the children of `host`, leaving out the parts a view does not have (null).
function fill(host, ...kids) { host.replaceChildren(...kids.flat().filter((k) => k != null && k !== false)); }
const fmt = (x, digits = 3) => (x == null ? '–' : Number(x).toFixed(digits));
const pct = (x) => (x == null ? '–' : (100 * x).toFixed(0) + '%');
const int = (n) => Number(n).toLocaleString('en-US');

async function loadData() {
  const b64 = $('reprint-data').textContent.trim();
  let bytes;
  if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(b64);
  else {
    const bin = atob(b64);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text());
}

let D; // the scan's data
let pairOf; // "a,b" (a < b) -> pair number
let clusterRows; // one summary per cluster

function docLabel(i) { return D.docs.id[i] || D.docs.origin[i]; }
function outletOf(i) { const o = D.docs.outlet[i]; return o < 0 ? '' : D.outlets[o]; }
function dateOf(i) { const d = D.docs.date[i]; return d ? d.slice(0, 10) : ''; }
function pairBetween(x, y) { return pairOf.get(Math.min(x, y) + ',' + Math.max(x, y)); }

function prepare() {
  pairOf = new Map();
  const p = D.pairs;
  for (let k = 0; k < p.a.length; k++) pairOf.set(Math.min(p.a[k], p.b[k]) + ',' + Math.max(p.a[k], p.b[k]), k);
  clusterRows = D.clusters.map((c, n) => {
    const outlets = new Set();
    let first = '', last = '';
    for (const m of c.members) {
      if (D.docs.outlet[m] >= 0) outlets.add(D.docs.outlet[m]);
      const d = D.docs.date[m];
      if (d) { if (!first || d < first) first = d; if (!last || d > last) last = d; }
    }
    return { n, id: c.id, size: c.members.length, rep: c.representative, outlets, first, last, search: null };
  });
}

// ---- navigation -------------------------------------------------------------------------

const VIEWS = ['overview', 'clusters', 'partial', 'quality', 'pair', 'doc'];
function show(view) {
  for (const v of VIEWS) $(v).hidden = v !== view;
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.view === view);
  window.scrollTo(0, 0);
}
function route() {
  const h = decodeURIComponent(location.hash.slice(1));
  const [view, x, y] = h.split('/');
  if (view === 'pair' && x != null && y != null) return openPair(Number(x), Number(y));
  if (view === 'doc' && x != null) return openDoc(Number(x));
  show(VIEWS.includes(view) && view !== 'pair' && view !== 'doc' ? view : 'overview');
}
function go(hash) { if (location.hash === '#' + hash) route(); else location.hash = hash; }

// ---- a paged, sortable table ------------------------------------------------------------

// columns: [{key, label, num, sort: (i) => value}]; rows: array of items; row(i) -> <tr>s.
function pagedTable(host, columns, initialSort, renderRow) {
  const state = { items: [], page: 0, sort: initialSort.key, dir: initialSort.dir };
  const thead = el('tr', null, columns.map((c) => {
    const th = el('th', { class: (c.sort ? 'sortable ' : '') + (c.num ? 'num' : ''), 'data-key': c.key }, c.label);
    if (c.sort) th.addEventListener('click', () => {
      state.dir = state.sort === c.key ? -state.dir : (c.num ? -1 : 1);
      state.sort = c.key; state.page = 0; draw();
    });
    return th;
  }));
  const tbody = el('tbody');
  const info = el('span');
  const prev = el('button', { onclick: () => { state.page--; draw(); } }, '‹ previous');
  const next = el('button', { onclick: () => { state.page++; draw(); } }, 'next ›');
  host.replaceChildren(el('table', null, el('thead', null, thead), tbody), el('div', { class: 'pager' }, prev, info, next));
  function draw() {
    const col = columns.find((c) => c.key === state.sort);
    const items = state.items.slice();
    if (col && col.sort) items.sort((x, y) => {
      const a = col.sort(x), b = col.sort(y);
      return (a < b ? -1 : a > b ? 1 : 0) * state.dir || 0;
    });
    const pages = Math.max(1, Math.ceil(items.length / PAGE));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    for (const th of thead.children) {
      th.classList.toggle('asc', th.dataset.key === state.sort && state.dir > 0);
      th.classList.toggle('desc', th.dataset.key === state.sort && state.dir < 0);
    }
    tbody.replaceChildren(...items.slice(state.page * PAGE, (state.page + 1) * PAGE).flatMap((item) => renderRow(item, columns.length)));
    info.textContent = `${int(items.length)} rows · page ${state.page + 1} of ${pages}`;
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }
  return { set(items) { state.items = items; state.page = 0; draw(); }, redraw: draw };
}

function outletSelect(onchange) {
  return el('select', { onchange }, el('option', { value: '' }, 'all outlets'),
    D.outlets.map((o, k) => el('option', { value: k }, o)));
}

// ---- overview ---------------------------------------------------------------------------

function overview() {
  const c = D.counts;
  const card = (key, n, label) => el('div', { class: 'card' }, el('div', { class: 'n', 'data-count': key }, int(n)), el('div', { class: 'l' }, label));
  $('counts').replaceChildren(
    card('records', c.records, 'records read'),
    card('rejected', c.rejected, 'rejected'),
    card('kept', c.kept, 'kept (unique + originals)'),
    card('duplicates', c.duplicates, 'duplicates dropped'),
    card('clusters', c.clusters, 'clusters'),
    card('unique', c.unique, 'unique documents'),
    card('copies', c.copies, 'copy pairs'),
    card('partials', c.partials, 'partial-reuse pairs'),
    card('flagged', c.flagged, 'documents flagged for quality'),
  );
  const s = D.scan.stats;
  fill($('run'),
    el('p', null, `threshold ${D.scan.threshold}: ${D.scan.bands} bands × ${D.scan.rows} rows of ${D.scan.hashes} hashes. `,
      `${int(s.candidates)} candidate pairs (${int(s.lsh_candidates)} from Jaccard LSH, ${int(s.winnow_candidates)} from the passage index); `,
      `${int(s.verified)} verified at Jaccard ≥ ${D.scan.threshold}. `,
      D.scan.all_pairs ? 'Every related pair is listed.' : 'In a cluster, each member’s pair with its original is listed.'),
    el('p', { class: 'note' }, embeddedNote()),
    rejectedList(),
  );
  const flows = (list) => list.slice(0, 3).map((f) => `${f.source} (${f.copy} copied, ${f.partial} partial)`).join('; ');
  $('outlets').replaceChildren(D.outlet_table.length === 0 ? el('p', { class: 'muted' }, 'No record names its outlet (field "source").') :
    el('table', null,
      el('thead', null, el('tr', null, ['outlet', 'docs', 'originals', 'copies', 'partial', 'syndicated', 'takes from', 'taken by'].map((h, k) => el('th', { class: k > 0 && k < 6 ? 'num' : '' }, h)))),
      el('tbody', null, D.outlet_table.map((o) => el('tr', { class: 'link', title: 'show this outlet’s clusters', onclick: () => filterClustersBy(o.source) },
        el('td', null, o.source), el('td', { class: 'num' }, int(o.docs)), el('td', { class: 'num' }, int(o.originals)),
        el('td', { class: 'num' }, int(o.copies)), el('td', { class: 'num' }, int(o.partial)), el('td', { class: 'num' }, pct(o.syndicated_share)),
        el('td', null, flows(o.takes_from)), el('td', null, flows(o.taken_by)))))));
}

function rejectedList() {
  const reasons = Object.values(D.docs.rejected);
  if (reasons.length === 0) return null;
  const more = D.counts.rejected - reasons.length;
  return el('details', { id: 'rejected' }, el('summary', null, `${int(D.counts.rejected)} rejected record(s) and why`),
    el('ul', null, reasons.map((r) => el('li', null, r))),
    more > 0 ? el('p', { class: 'note' }, `… and ${int(more)} more: the page lists the first ${int(D.limits[0])}; docs.jsonl has them all.`) : null);
}

function embeddedNote() {
  if (!D.texts_kept) return 'This scan kept no texts (scan --no-report): the pair and document views show figures only.';
  const has = (i) => D.docs.text[i] >= 0;
  const clustersWith = D.clusters.filter((c) => c.members.every(has)).length;
  let partial = 0, partialWith = 0;
  for (let k = 0; k < D.pairs.a.length; k++) if (D.pairs.relation[k] === 1) { partial++; if (has(D.pairs.a[k]) && has(D.pairs.b[k])) partialWith++; }
  const flaggedWith = D.evidence.filter(([i]) => has(i)).length;
  const flaggedListed = D.evidence.length < D.counts.flagged
    ? ` The ${int(D.evidence.length)} worst-scored of ${int(D.counts.flagged)} flagged documents are listed.` : '';
  const all = D.texts.length === D.counts.records - D.counts.rejected;
  return `Texts embedded: ${int(D.texts.length)} of ${int(D.counts.records - D.counts.rejected)} documents` +
    (all ? '.' : ` (a report embeds texts up to a cap: clusters first, then partial reuse, then the worst-scored). ` +
      `With texts: ${int(clustersWith)} of ${int(D.clusters.length)} clusters, ${int(partialWith)} of ${int(partial)} partial pairs, ` +
      `${int(flaggedWith)} of ${int(D.evidence.length)} flagged documents; the rest show figures only.`) + flaggedListed;
}

// ---- clusters ---------------------------------------------------------------------------

let clusterTable, clusterFilter;
function clusters() {
  const f = clusterFilter = { text: '', outlet: -1, min: 2, from: '', to: '', expand: false };
  const search = el('input', { type: 'search', id: 'cluster-search', placeholder: 'id or title…', oninput: debounce(() => { f.text = search.value.trim().toLowerCase(); apply(); }) });
  const outlet = outletSelect(() => { f.outlet = outlet.value === '' ? -1 : Number(outlet.value); apply(); });
  outlet.id = 'cluster-outlet';
  const min = el('input', { type: 'number', min: 2, value: 2, style: 'width:5em', onchange: () => { f.min = Number(min.value) || 2; apply(); } });
  const from = el('input', { type: 'date', onchange: () => { f.from = from.value; apply(); } });
  const to = el('input', { type: 'date', onchange: () => { f.to = to.value; apply(); } });
  const expand = el('input', { type: 'checkbox', id: 'cluster-expand', onchange: () => { f.expand = expand.checked; clusterTable.redraw(); } });
  $('cluster-controls').replaceChildren(
    el('label', null, 'search', search), el('label', null, 'outlet', outlet), el('label', null, 'size ≥', min),
    el('label', null, 'from', from), el('label', null, 'to', to), el('label', null, expand, 'show members'));
  const open = new Set();
  clusterTable = pagedTable($('cluster-table'), [
    { key: 'id', label: '#', num: true, sort: (r) => r.id },
    { key: 'size', label: 'size', num: true, sort: (r) => r.size },
    { key: 'original', label: 'original', sort: (r) => docLabel(r.rep) },
    { key: 'outlet', label: 'outlet', sort: (r) => outletOf(r.rep) },
    { key: 'title', label: 'title', sort: (r) => D.docs.title[r.rep] || '' },
    { key: 'first', label: 'first date', sort: (r) => r.first },
    { key: 'outlets', label: 'outlets', num: true, sort: (r) => r.outlets.size },
  ], { key: 'size', dir: -1 }, (r, width) => {
    const row = el('tr', { class: 'row', 'data-cluster': r.id, onclick: () => { open.has(r.id) ? open.delete(r.id) : open.add(r.id); clusterTable.redraw(); } },
      el('td', { class: 'num' }, r.id), el('td', { class: 'num' }, r.size), el('td', null, docLabel(r.rep)), el('td', null, outletOf(r.rep)),
      el('td', null, D.docs.title[r.rep] || ''), el('td', null, r.first.slice(0, 10)), el('td', { class: 'num' }, r.outlets.size));
    return f.expand || open.has(r.id) ? [row, el('tr', { class: 'detail' }, el('td', { colspan: width }, clusterDetail(r)))] : [row];
  });
  function apply() {
    clusterTable.set(clusterRows.filter((r) => {
      if (r.size < f.min) return false;
      if (f.outlet >= 0 && !r.outlets.has(f.outlet)) return false;
      if (f.from && (!r.first || r.first.slice(0, 10) < f.from)) return false;
      if (f.to && (!r.first || r.first.slice(0, 10) > f.to)) return false;
      if (f.text) {
        if (r.search == null) r.search = D.clusters[r.n].members.map((m) => docLabel(m) + '\n' + (D.docs.title[m] || '')).join('\n').toLowerCase();
        if (!r.search.includes(f.text)) return false;
      }
      return true;
    }));
  }
  clusters.apply = apply;
  clusters.setOutlet = (k) => { outlet.value = String(k); f.outlet = k; apply(); };
  apply();
}

function clusterDetail(r) {
  const c = D.clusters[r.n];
  const f = clusterFilter;
  const shown = c.members.filter((m) => f.outlet < 0 || D.docs.outlet[m] === f.outlet);
  const hidden = c.members.length - shown.length;
  const head = el('p', null, el('strong', null, 'Original: '), docLabel(c.representative),
    outletOf(c.representative) ? ` (${outletOf(c.representative)})` : '', ' — ', c.reason);
  const rows = shown.map((m) => {
    const isRep = m === c.representative;
    const k = isRep ? undefined : pairBetween(m, c.representative);
    const p = D.pairs;
    const mine = k == null ? null : (p.a[k] === m ? 'a' : 'b');
    const dir = k == null ? '' : p.direction[k];
    return el('tr', {
      class: 'member' + (isRep ? ' original' : ''), 'data-doc': m, 'data-outlet': outletOf(m),
      title: isRep ? 'open the document view' : 'compare with the original',
      onclick: (e) => { e.stopPropagation(); go(isRep ? `doc/${m}` : `pair/${c.representative}/${m}`); },
    },
    el('td', null, isRep ? 'original' : 'member'), el('td', null, docLabel(m)), el('td', null, outletOf(m)), el('td', null, dateOf(m)),
    el('td', null, k == null ? (isRep ? '' : 'no pair listed') : el('span', { class: 'tag ' + (p.relation[k] ? 'partial' : 'copy') }, p.relation[k] ? 'partial' : 'copy')),
    el('td', { class: 'num' }, k == null ? fmt(D.docs.similarity[m]) : fmt(p.jaccard[k])),
    el('td', { class: 'num' }, k == null ? '' : `${pct(mine === 'a' ? p.share_a[k] : p.share_b[k])} / ${pct(mine === 'a' ? p.share_b[k] : p.share_a[k])}`),
    el('td', null, dir), el('td', null, k == null ? '' : p.reason[k]));
  });
  return [head,
    el('table', null, el('thead', null, el('tr', null, ['role', 'id', 'outlet', 'date', 'relation', 'Jaccard', 'shares (member / original)', 'direction', 'reason'].map((h) => el('th', null, h)))),
      el('tbody', null, rows)),
    hidden ? el('p', { class: 'note' }, `${hidden} member(s) from other outlets hidden by the outlet filter.`) : null];
}

function filterClustersBy(source) {
  const k = D.outlets.indexOf(source);
  if (k >= 0) clusters.setOutlet(k);
  go('clusters');
}

// ---- partial reuse ----------------------------------------------------------------------

function partials() {
  const p = D.pairs;
  const lifts = [];
  for (let k = 0; k < p.a.length; k++) if (p.relation[k] === 1) {
    const src = p.from[k] === 1 ? p.b[k] : p.a[k];
    const taker = p.from[k] === 1 ? p.a[k] : p.b[k];
    lifts.push({ k, src, taker, known: p.from[k] >= 0, share: p.from[k] === 1 ? p.share_a[k] : p.share_b[k] });
  }
  let outlet = -1;
  const select = outletSelect(() => { outlet = select.value === '' ? -1 : Number(select.value); apply(); });
  $('partial-controls').replaceChildren(el('label', null, 'outlet', select));
  const table = pagedTable($('partial-table'), [
    { key: 'taker', label: 'took the text', sort: (l) => docLabel(l.taker) },
    { key: 'taker_outlet', label: 'outlet', sort: (l) => outletOf(l.taker) },
    { key: 'src', label: 'from', sort: (l) => docLabel(l.src) },
    { key: 'src_outlet', label: 'outlet', sort: (l) => outletOf(l.src) },
    { key: 'share', label: 'share of its words', num: true, sort: (l) => l.share },
    { key: 'words', label: 'words reused', num: true, sort: (l) => p.passage_words[l.k] || 0 },
    { key: 'passage', label: 'the passage' },
  ], { key: 'share', dir: -1 }, (l) => [el('tr', { class: 'link', 'data-pair': l.k, onclick: () => go(`pair/${l.src}/${l.taker}`) },
    el('td', null, docLabel(l.taker)), el('td', null, outletOf(l.taker)),
    el('td', null, l.known ? docLabel(l.src) : docLabel(l.src) + ' (direction unknown)'), el('td', null, outletOf(l.src)),
    el('td', { class: 'num' }, pct(l.share)), el('td', { class: 'num' }, p.passage_words[l.k] ?? '–'), el('td', { class: 'muted' }, passageSnippet(l)))]);
  function apply() {
    table.set(lifts.filter((l) => outlet < 0 || D.docs.outlet[l.taker] === outlet || D.docs.outlet[l.src] === outlet));
  }
  apply();
}

// The start of the longest passage, as the source has it; '' when its text is not embedded.
function passageSnippet(l) {
  const passages = D.pairs.passages[l.k];
  const t = D.docs.text[l.src];
  if (!passages || !passages.length || t < 0) return '';
  const inA = D.pairs.a[l.k] === l.src;
  const q = passages.reduce((x, y) => (y[4] > x[4] ? y : x));
  const text = D.texts[t].text.slice(inA ? q[0] : q[2], inA ? q[1] : q[3]).replace(/\s+/g, ' ').trim();
  return text.length > 90 ? text.slice(0, 90) + '…' : text;
}

// ---- quality ----------------------------------------------------------------------------

function quality() {
  const evidence = new Map(D.evidence);
  let flag = -1;
  const select = el('select', { onchange: () => { flag = select.value === '' ? -1 : Number(select.value); apply(); } },
    el('option', { value: '' }, 'any flag'), FLAGS.map((name, bit) => el('option', { value: bit }, name)));
  $('quality-controls').replaceChildren(el('label', null, 'flag', select));
  const d = D.docs;
  const table = pagedTable($('quality-table'), [
    { key: 'id', label: 'document', sort: (i) => docLabel(i) },
    { key: 'outlet', label: 'outlet', sort: (i) => outletOf(i) },
    { key: 'score', label: 'score', num: true, sort: (i) => d.score[i] },
    { key: 'boilerplate', label: 'boilerplate', num: true, sort: (i) => d.boilerplate[i] },
    { key: 'padding', label: 'padding', num: true, sort: (i) => d.padding[i] },
    { key: 'stuffing', label: 'stuffing', num: true, sort: (i) => d.stuffing[i] },
    { key: 'flags', label: 'flags' },
    { key: 'evidence', label: 'strongest evidence' },
  ], { key: 'score', dir: 1 }, (i) => {
    const top = (evidence.get(i) || [])[0];
    return [el('tr', { class: 'link', 'data-doc': i, onclick: () => go(`doc/${i}`) },
      el('td', null, docLabel(i)), el('td', null, outletOf(i)), el('td', { class: 'num' }, fmt(d.score[i], 2)),
      el('td', { class: 'num' }, fmt(d.boilerplate[i], 2)), el('td', { class: 'num' }, fmt(d.padding[i], 2)), el('td', { class: 'num' }, fmt(d.stuffing[i], 2)),
      el('td', null, flagNames(d.flags[i]).map((n) => el('span', { class: 'tag' }, n))),
      el('td', null, top ? evidenceText(top) : ''))];
  });
  function apply() {
    table.set(D.evidence.map(([i]) => i).filter((i) => flag < 0 || (d.flags[i] & (1 << flag))));
  }
  apply();
}
const flagNames = (bits) => FLAGS.filter((_, b) => bits & (1 << b));
function evidenceText(e) {
  return `${e.signal} ${fmt(e.value, 3)}` + (e.limit != null ? ` (limit ${fmt(e.limit, 3)})` : '') +
    (e.count != null ? ` ×${e.count}` : '') + (e.text ? `: “${e.text}”` : '');
}

// ---- marked text ------------------------------------------------------------------------

// Splits `text` at every range boundary; each piece covered by ranges becomes one <mark>
// carrying all their classes and the keys of the ranges, so overlapping ranges stay visible.
function markedText(text, ranges) {
  const cuts = new Set([0, text.length]);
  for (const r of ranges) { cuts.add(r.start); cuts.add(r.end); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((x, y) => x - y);
  const out = [];
  const firstPiece = new Set();
  for (let k = 0; k + 1 < points.length; k++) {
    const [s, e] = [points[k], points[k + 1]];
    const piece = text.slice(s, e);
    const over = ranges.filter((r) => r.start <= s && r.end >= e && r.end > r.start);
    if (over.length === 0) { out.push(piece); continue; }
    const attrs = { class: [...new Set(over.map((r) => r.cls))].join(' '), title: [...new Set(over.map((r) => r.title).filter(Boolean))].join('; ') || null };
    const keyed = over.find((r) => r.key != null);
    if (keyed) {
      attrs['data-passage'] = keyed.key;
      if (!firstPiece.has(keyed.key)) { firstPiece.add(keyed.key); attrs.id = keyed.id; }
    }
    out.push(el('mark', attrs, piece));
  }
  return out;
}

// ---- pair view --------------------------------------------------------------------------

function openPair(x, y) {
  const k = pairBetween(x, y);
  const p = D.pairs;
  const [a, b] = k == null ? [Math.min(x, y), Math.max(x, y)] : [p.a[k], p.b[k]];
  const passages = k == null ? null : p.passages[k];
  const figures = k == null ? [el('dt', null, 'relation'), el('dd', null, 'no pair of these two is listed')] : [
    ['relation', el('span', { class: 'tag ' + (p.relation[k] ? 'partial' : 'copy') }, p.relation[k] ? 'partial' : 'copy')],
    ['why', p.reason[k]],
    ['direction', p.direction[k] || 'unknown'],
    ['Jaccard', fmt(p.jaccard[k])],
    ['containment', `${fmt(p.containment_ab[k])} of A in B, ${fmt(p.containment_ba[k])} of B in A`],
    ['shares in passages', `${pct(p.share_a[k])} of A’s words, ${pct(p.share_b[k])} of B’s`],
    ['passages', p.passage_words[k] == null ? 'not computed (--no-passages)' : `${passages ? passages.length + (passages.length === 1 ? ' passage, ' : ' passages, ') : ''}${p.passage_words[k]} words of A`],
  ].flatMap(([t, v]) => [el('dt', null, t), el('dd', null, v)]);
  const side = (doc, which) => {
    const t = D.docs.text[doc];
    const ranges = passages && t >= 0 ? passages.map((q, n) => ({
      start: which === 'a' ? q[0] : q[2], end: which === 'a' ? q[1] : q[3], cls: 'passage', key: n, id: `p${which}-${n}`, title: `passage ${n + 1}: ${q[4]} words`,
    })) : [];
    return el('div', { class: 'side', id: 'side-' + which },
      el('h3', null, which.toUpperCase(), ': ', el('a', { href: `#doc/${doc}` }, docLabel(doc)), outletOf(doc) ? ` · ${outletOf(doc)}` : '', dateOf(doc) ? ` · ${dateOf(doc)}` : ''),
      el('p', { class: 'muted' }, D.docs.title[doc] || ''),
      t < 0 ? el('p', { class: 'note' }, D.texts_kept ? 'Text not embedded: the report embeds texts up to a cap.' : 'No texts kept (scan --no-report).')
        : el('div', { class: 'text', 'data-side': which }, markedText(D.texts[t].text, ranges)));
  };
  const view = $('pair');
  fill(view, el('button', { class: 'back', onclick: () => history.back() }, '‹ back'),
    el('h2', null, 'Pair: ', docLabel(a), ' and ', docLabel(b)),
    el('dl', { class: 'figures' }, figures),
    passages ? el('p', { class: 'note' }, 'Reused passages are highlighted; click one to bring its counterpart into view.') : null,
    el('div', { class: 'sides' }, side(a, 'a'), side(b, 'b')));
  view.addEventListener('click', onPassageClick);
  show('pair');
}
function onPassageClick(e) {
  const m = e.target.closest('mark.passage');
  if (!m) return;
  const here = m.closest('.text').dataset.side;
  const there = here === 'a' ? 'b' : 'a';
  const key = m.dataset.passage;
  for (const on of document.querySelectorAll('mark.passage.on')) on.classList.remove('on');
  for (const x of document.querySelectorAll(`#pair mark[data-passage="${key}"]`)) x.classList.add('on');
  const target = $(`p${there}-${key}`);
  if (target) target.scrollIntoView({ block: 'center' });
}

// ---- document view ----------------------------------------------------------------------

function openDoc(i) {
  const d = D.docs;
  const t = d.text[i];
  const ev = new Map(D.evidence).get(i) || [];
  const cls = (signal) => signal.startsWith('boilerplate') ? 'bp' : signal === 'stuffing' ? 'stuff' : 'rep';
  const ranges = t < 0 ? [] : D.texts[t].marks.map(([s, e, g]) => ({ start: s, end: e, cls: cls(D.signals[g]), title: D.signals[g] }));
  const related = [];
  for (let k = 0; k < D.pairs.a.length; k++) if (D.pairs.a[k] === i || D.pairs.b[k] === i) related.push(k);
  const figures = [
    ['title', d.title[i] || '–'], ['outlet', outletOf(i) || '–'], ['date', d.date[i] || '–'], ['origin', d.origin[i]],
    ['status', STATUS[d.status[i]] + (d.cluster[i] >= 0 ? ` in cluster #${d.cluster[i]}` : '')],
    d.status[i] === 3 ? ['rejected', d.rejected[i] || ''] : null,
    d.score[i] != null ? ['quality', `score ${fmt(d.score[i], 2)} · boilerplate ${fmt(d.boilerplate[i], 2)} · padding ${fmt(d.padding[i], 2)} · stuffing ${fmt(d.stuffing[i], 2)}`] : null,
    d.flags[i] ? ['flags', flagNames(d.flags[i]).map((n) => el('span', { class: 'tag' }, n))] : null,
  ].filter(Boolean).flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]);
  fill($('doc'), el('button', { class: 'back', onclick: () => history.back() }, '‹ back'),
    el('h2', null, 'Document ', docLabel(i)),
    el('dl', { class: 'figures' }, figures),
    ev.length ? el('table', null, el('thead', null, el('tr', null, ['evidence', 'value', 'limit', 'count', 'example'].map((h) => el('th', null, h)))),
      el('tbody', null, ev.map((e) => el('tr', null, el('td', null, e.signal), el('td', { class: 'num' }, fmt(e.value)), el('td', { class: 'num' }, e.limit == null ? '' : fmt(e.limit)),
        el('td', { class: 'num' }, e.count ?? ''), el('td', null, e.text || ''))))) : null,
    related.length ? el('p', null, 'Related: ', related.map((k) => {
      const other = D.pairs.a[k] === i ? D.pairs.b[k] : D.pairs.a[k];
      return el('a', { href: `#pair/${i}/${other}`, style: 'margin-right:10px' }, `${D.pairs.relation[k] ? 'partial' : 'copy'} with ${docLabel(other)}`);
    })) : null,
    ev.some((e) => e.signal === 'boilerplate.dropped_by_extraction')
      ? el('p', { class: 'note' }, 'This page’s text below is its extracted main text: what extraction dropped counts as boilerplate but is not shown.') : null,
    el('p', { class: 'legend note' }, el('mark', { class: 'bp' }, 'boilerplate line'), el('mark', { class: 'rep' }, 'repeated phrase'), el('mark', { class: 'stuff' }, 'stuffed phrase')),
    t < 0 ? el('p', { class: 'note' }, D.texts_kept ? 'Text not embedded: the report embeds texts up to a cap.' : 'No texts kept (scan --no-report).')
      : el('div', { class: 'text', id: 'doc-text' }, markedText(D.texts[t].text, ranges)));
  show('doc');
}

function debounce(f) { let t; return () => { clearTimeout(t); t = setTimeout(f, 150); }; }

async function main() {
  D = await loadData();
  $('loading').hidden = true;
  prepare();
  overview();
  clusters();
  partials();
  quality();
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = 'true';
  // When the page became usable, for whoever measures it (examples/report_load.rs).
  performance.mark('reprint-ready');
}
main().catch((e) => { $('loading').textContent = 'The report could not be read: ' + e; throw e; });
