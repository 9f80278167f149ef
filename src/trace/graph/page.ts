/**
 * The regulator's trace page (食品追溯查询) until the web app exists: one server-rendered HTML page,
 * no external assets. The page is public; its data calls go to the API with the browser session
 * cookie, and it shows a sign-in form when `/api/me` answers 401. Text reaches the DOM only through
 * `textContent`; the graph SVG comes from our own server with its text escaped.
 */

const STYLE = `
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#0f172a;background:#f8fafc}
header{display:flex;align-items:center;gap:1rem;padding:.6rem 1.2rem;background:#14532d;color:#fff}
header h1{font-size:1.2rem;margin:0;flex:1}
main{padding:1rem 1.2rem}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:1rem;margin-bottom:1rem}
label{margin-right:.8rem}
input[name=epc]{width:min(42rem,90%);font-family:monospace}
button{padding:.3rem .9rem;cursor:pointer}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #e2e8f0;padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#f1f5f9;position:sticky;top:0}
td.ids{font-family:monospace;font-size:.78rem;word-break:break-all}
.graph{overflow:auto;border:1px solid #e2e8f0;background:#fff;max-height:70vh}
.error{color:#b91c1c}.note{color:#64748b;font-size:.85rem}
.stats{color:#334155;font-size:.85rem}
a.button{display:inline-block;margin-right:.8rem;padding:.3rem .8rem;border:1px solid #14532d;border-radius:4px;color:#14532d;text-decoration:none}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const state = { csrf: null };
const TYPES = { ObjectEvent: '对象事件', AggregationEvent: '聚合事件', TransformationEvent: '转化事件', TransactionEvent: '交易事件', AssociationEvent: '关联事件' };
const STEPS = { commissioning: '赋码/生产', shipping: '发货', receiving: '收货', packing: '装箱', unpacking: '拆箱', retail_selling: '零售', storing: '入库' };
const short = (v) => typeof v === 'string' ? v.replace(/^.*(BizStep-|bizstep:)/, '') : '';
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
async function api(path, options) {
  const res = await fetch(path, Object.assign({ credentials: 'same-origin' }, options || {}));
  if (!res.ok) {
    let detail = res.status + ' ' + res.statusText;
    try { const p = await res.json(); detail = (p.title || '') + (p.detail ? '：' + p.detail : ''); } catch (e) {}
    const err = new Error(detail); err.status = res.status; throw err;
  }
  return res;
}
async function init() {
  try {
    const me = await (await api('/api/me')).json();
    state.csrf = me.csrfToken || null;
    $('who').textContent = me.displayName + '（' + me.roleLabel + '）';
    $('login').hidden = true; $('search').hidden = false; $('logout').hidden = false;
    const epc = new URLSearchParams(location.search).get('epc');
    if (epc) { document.forms['search-form'].epc.value = epc; const d = new URLSearchParams(location.search).get('direction'); if (d === 'forward') document.forms['search-form'].direction.value = 'forward'; search(); }
  } catch (e) {
    if (e.status !== 401) { $('login-error').textContent = e.message; }
    $('login').hidden = false; $('search').hidden = true; $('logout').hidden = true; $('who').textContent = '';
  }
}
$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault(); const f = ev.target; $('login-error').textContent = '';
  try {
    await api('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: f.username.value, password: f.password.value }) });
    f.password.value = ''; init();
  } catch (e) { $('login-error').textContent = '登录失败：' + e.message; }
});
$('logout').addEventListener('click', async () => {
  try { await api('/api/auth/logout', { method: 'POST', headers: { 'x-csrf-token': state.csrf || '' } }); } catch (e) {}
  init();
});
function idsOf(ev) {
  const out = [];
  if (ev.parentID) out.push('父 ' + ev.parentID);
  for (const [k, label] of [['epcList', ''], ['childEPCs', '子 '], ['inputEPCList', '投入 '], ['outputEPCList', '产出 ']]) for (const e of ev[k] || []) out.push(label + e);
  for (const [k, label] of [['quantityList', ''], ['childQuantityList', '子 '], ['inputQuantityList', '投入 '], ['outputQuantityList', '产出 ']]) for (const q of ev[k] || []) out.push(label + q.epcClass + ' × ' + q.quantity + (q.uom ? ' ' + q.uom : ''));
  return out;
}
function whereOf(ev) {
  const src = (ev.sourceList || []).find((s) => short(s.type).endsWith('location'));
  const dst = (ev.destinationList || []).find((s) => short(s.type).endsWith('location'));
  const at = (ev.bizLocation && ev.bizLocation.id) || (ev.readPoint && ev.readPoint.id) || (src && src.source) || '';
  return at + (dst && dst.destination !== at ? ' → ' + dst.destination : '');
}
function renderTimeline(doc) {
  const body = $('timeline').tBodies[0]; body.replaceChildren();
  for (const ev of doc.epcisBody.queryResults.resultsBody.eventList) {
    const tr = el('tr');
    tr.append(el('td', ev.eventTime), el('td', (TYPES[ev.type] || ev.type) + (ev.action ? ' ' + ev.action : '')),
      el('td', STEPS[short(ev.bizStep)] || short(ev.bizStep)), el('td', whereOf(ev)));
    const ids = el('td', undefined, 'ids'); for (const line of idsOf(ev)) ids.append(el('div', line)); tr.append(ids);
    tr.append(el('td', (ev.bizTransactionList || []).map((t) => short(t.type) + ' ' + t.bizTransaction).join('; ')));
    body.append(tr);
  }
}
function renderLocations(graph) {
  const ul = $('locations'); ul.replaceChildren();
  for (const n of graph.nodes.filter((n) => n.kind === 'location')) ul.append(el('li', n.label + ' — ' + n.id + '（' + n.eventCount + ' 个事件，' + n.firstTime + ' 起）'));
}
function renderRecall(view) {
  const box = $('recall'); box.replaceChildren();
  box.append(el('p', '下游批次/标识 ' + view.lots.length + ' 个；收货地点 ' + view.locations.length + ' 个；收货主体 ' + view.parties.length + ' 个。', 'stats'));
  const table = el('table'); const head = el('tr');
  for (const h of ['收货主体', '首次', '最近', '是否已确认收货', '数量']) head.append(el('th', h));
  table.append(el('thead')); table.tHead.append(head); const tb = el('tbody'); table.append(tb);
  const labels = new Map(view.lots.map((l) => [l.identifier, l.label]));
  for (const p of view.parties) {
    const tr = el('tr');
    tr.append(el('td', p.label), el('td', p.firstTime), el('td', p.lastTime), el('td', p.confirmed ? '已收货' : '仅发货'),
      el('td', p.received.map((q) => (labels.get(q.lot) || q.lot) + ' × ' + (q.quantity === null ? '?' : q.quantity) + ' ' + (q.uom || '件')).join('; ')));
    tb.append(tr);
  }
  box.append(table);
}
async function search() {
  const f = document.forms['search-form']; const epc = f.epc.value.trim(); const dir = f.direction.value;
  const q = 'epc=' + encodeURIComponent(epc);
  $('status').textContent = '查询中…'; $('status').className = ''; $('result').hidden = true;
  try {
    const t0 = performance.now();
    const view = await (await api('/api/trace/' + dir + '?' + q)).json();
    renderTimeline(view.document); renderLocations(view.graph);
    $('graph').innerHTML = await (await api('/api/trace/graph.svg?direction=' + dir + '&' + q)).text();
    $('status').textContent = (dir === 'back' ? '溯源' : '追踪') + '：' + view.stats.events + ' 个事件，' + view.stats.identifiers + ' 个标识，' + Math.round(performance.now() - t0) + ' ms' + (view.stats.truncated ? '（结果过大，已截断）' : '');
    $('csv').href = '/api/trace/recall?format=csv&' + q; $('xlsx').href = '/api/trace/recall?format=xlsx&' + q;
    $('result').hidden = false;
    renderRecall(await (await api('/api/trace/recall?' + q)).json());
  } catch (e) {
    $('status').textContent = '查询失败：' + e.message; $('status').className = 'error';
    if (e.status === 401) init();
  }
}
$('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search(); });
init();
`;

/** The page's HTML. */
export function tracePage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>食品追溯查询 · civictwin</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>食品追溯查询</h1><span id="who"></span><button id="logout" type="button" hidden>退出</button></header>
<main>
<section id="login" hidden>
  <h2>登录</h2>
  <form id="login-form">
    <label>用户名 <input name="username" autocomplete="username" required></label>
    <label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
    <button>登录</button>
    <p class="error" id="login-error"></p>
  </form>
</section>
<section id="search" hidden>
  <form id="search-form">
    <p><label>批次或标识 <input name="epc" required placeholder="urn:epc:class:lgtin:6903456.012345.L1 或 https://id.gs1.org/01/…/10/…"></label></p>
    <p><label><input type="radio" name="direction" value="back" checked> 溯源（向上游：原料、来源）</label>
    <label><input type="radio" name="direction" value="forward"> 追踪（向下游：去向、召回范围）</label>
    <button>查询</button></p>
  </form>
  <p id="status" class="stats"></p>
  <div id="result" hidden>
    <h2>时间线</h2>
    <table id="timeline"><thead><tr><th>时间</th><th>事件</th><th>业务步骤</th><th>地点</th><th>标识与数量</th><th>单据</th></tr></thead><tbody></tbody></table>
    <h2>追溯图</h2>
    <div id="graph" class="graph"></div>
    <h2>地点</h2>
    <ul id="locations"></ul>
    <p class="note">地图：Web 应用与地图尚未建成，地点暂以列表显示。</p>
    <h2>召回范围与导出（FSMA 204 表格）</h2>
    <div id="recall"></div>
    <p><a id="csv" class="button">下载 CSV</a><a id="xlsx" class="button">下载 Excel（XLSX）</a></p>
  </div>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
