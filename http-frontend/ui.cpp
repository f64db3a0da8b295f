#include "http-frontend/ui.hpp"

namespace bindery::http {
namespace {

namespace bhttp = boost::beast::http;

// The assets, verbatim. Plain ES2017 and CSS: no framework, nothing fetched from elsewhere.
constexpr std::string_view kIndexHtml = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bindery status</title>
<link rel="stylesheet" href="/ui/style.css">
</head>
<body>
<header>
  <h1>Bindery</h1>
  <span id="node" class="muted"></span>
  <span id="accepting" class="badge">…</span>
  <span class="spacer"></span>
  <label><input type="checkbox" id="live" checked> live</label>
  <span id="updated" class="muted">never updated</span>
</header>
<form id="login" hidden>
  <label>Admin key <input type="password" id="key" autocomplete="current-password" size="40"></label>
  <button type="submit">Show</button>
  <span id="login-error" class="error"></span>
</form>
<main id="main" hidden>
  <section class="cards">
    <div class="card"><div class="label">Backlog</div><div id="backlog" class="value">-</div><div id="backlog-limit" class="muted"></div></div>
    <div class="card"><div class="label">Accepted / s</div><div id="accept-rate" class="value">-</div></div>
    <div class="card"><div class="label">Uptime</div><div id="uptime" class="value">-</div><div id="version" class="muted"></div></div>
  </section>
  <section>
    <h2>Carriers and binds</h2>
    <table id="carriers">
      <thead><tr><th>carrier</th><th>state</th><th>binds</th><th>window</th><th>queued</th>
        <th>sent / s</th><th>receipts / s</th><th>sent ok</th><th>failed</th><th>throttled</th><th>breaker</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section>
    <h2>SMPP clients <span class="muted">(accounts of the SMPP server side: sessions bound now, by bind type)</span></h2>
    <p id="esme-off" class="muted" hidden>No SMPP server accounts in this instance's configuration.</p>
    <table id="esme">
      <thead><tr><th>account</th><th>bind type</th><th class="num">bound</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="two">
    <div>
      <h2>Queues by lane</h2>
      <table id="lanes"><thead><tr><th>lane</th><th>waiting</th></tr></thead><tbody></tbody></table>
    </div>
    <div>
      <h2>Messages by state</h2>
      <table id="states"><thead><tr><th>state</th><th>messages</th></tr></thead><tbody></tbody></table>
    </div>
  </section>
  <section>
    <h2>Recent messages <span class="muted">(last 15 minutes, newest first; click for history)</span></h2>
    <table id="messages">
      <thead><tr><th>accepted</th><th>id</th><th>client</th><th>to</th><th>state</th><th>provider</th><th>attempts</th><th>last error</th></tr></thead>
      <tbody></tbody>
    </table>
    <div id="history" hidden>
      <h3>History of <code id="history-id"></code></h3>
      <table><thead><tr><th>at</th><th>from</th><th>to</th><th>provider</th><th>detail</th></tr></thead><tbody></tbody></table>
    </div>
  </section>
  <section>
    <h2>Alert notifications <span class="muted">(Alertmanager webhooks received, newest first; click for the messages each produced)</span></h2>
    <p id="alerts-off" class="muted" hidden>Alerting is not enabled in this instance's configuration.</p>
    <table id="alerts">
      <thead><tr><th>received</th><th>receiver</th><th>status</th><th>outcome</th><th class="num">firing</th><th class="num">resolved</th>
        <th class="num">messages</th><th>recipients</th><th>text</th></tr></thead>
      <tbody></tbody>
    </table>
    <div id="alert" hidden>
      <h3>Notification <code id="alert-id"></code> <span id="alert-group" class="muted"></span></h3>
      <p id="alert-notes" class="muted"></p>
      <table><thead><tr><th>recipient</th><th>to</th><th>message</th><th>state</th><th>provider</th><th>error</th></tr></thead><tbody></tbody></table>
    </div>
  </section>
  <p id="error" class="error"></p>
</main>
<script src="/ui/app.js"></script>
</body>
</html>
)HTML";

constexpr std::string_view kStyleCss =
    R"CSS(:root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: #24292f; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
header .muted { color: #afb8c1; }
.spacer { flex: 1; }
main, form { padding: 16px 20px; }
section { margin-bottom: 20px; }
h2 { font-size: 15px; margin: 0 0 8px; }
.muted { color: var(--muted); font-weight: normal; }
.cards { display: flex; gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 160px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 22px; font-variant-numeric: tabular-nums; }
.two { display: flex; gap: 20px; }
.two > div { flex: 1; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr.clickable { cursor: pointer; }
tbody tr.clickable:hover { background: #eaeef2; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: var(--muted); color: #fff; }
.badge.ok { background: var(--ok); }
.badge.warn { background: var(--warn); }
.badge.bad { background: var(--bad); }
.error { color: var(--bad); }
code { font-size: 12px; }
td.text { max-width: 420px; overflow: hidden; text-overflow: ellipsis; }
tbody tr.selected { background: #ddf4ff; }
)CSS";

constexpr std::string_view kAppJs = R"JS('use strict';
// Bindery status page: polls the admin endpoint with the admin key and renders tables.
(function () {
  const REFRESH_MS = 2000;
  const $ = (id) => document.getElementById(id);
  let key = null;
  let timer = null;
  let selected = null;
  let selectedAlert = null;

  function fragment(name) {
    const m = new RegExp('(?:^|[#&])' + name + '=([^&]+)').exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function readKey() {
    selected = fragment('message');
    selectedAlert = fragment('alert');
    const k = fragment('key');
    if (k) sessionStorage.setItem('bindery-admin-key', k);
    if (location.hash) history.replaceState(null, '', location.pathname);  // keep the key out of the address bar
    return sessionStorage.getItem('bindery-admin-key');
  }

  async function api(path) {
    const res = await fetch(path, { headers: { 'Authorization': 'Bearer ' + key }, cache: 'no-store' });
    if (res.status === 401 || res.status === 403) {
      const body = await res.json().catch(() => ({}));
      throw Object.assign(new Error((body.error && body.error.message) || 'unauthorized'), { auth: true });
    }
    if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
    return res.json();
  }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '-' : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function badge(td, text, level) {
    td.textContent = '';
    const span = document.createElement('span');
    span.className = 'badge ' + level;
    span.textContent = text;
    td.appendChild(span);
  }
  const rate = (v) => (v === null || v === undefined ? '-' : v.toFixed(1));
  function duration(s) {
    s = Math.floor(s);
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
  }
  const STATE_LEVEL = { bound: 'ok', degraded: 'warn', down: 'bad', paused: 'warn' };
  const MESSAGE_LEVEL = {
    DELIVERED: 'ok', SENT: 'ok', ACCEPTED: '', QUEUED: '', SENDING: '', FAILED_TEMP: 'warn',
    UNDELIVERABLE: 'bad', EXPIRED: 'bad', REJECTED: 'bad', FAILED_PERM: 'bad', DEAD_LETTER: 'bad',
    CANCELLED: 'warn',
  };

  function renderStatus(s) {
    $('node').textContent = s.node ? 'node ' + s.node : '';
    $('version').textContent = 'version ' + s.version;
    badge($('accepting'), s.accepting ? 'accepting' : 'refusing (backlog full)', s.accepting ? 'ok' : 'bad');
    $('backlog').textContent = s.backlog;
    $('backlog-limit').textContent = 'limit ' + s.backlog_limit;
    $('accept-rate').textContent = rate(s.accept_rate);
    $('uptime').textContent = duration(s.uptime_seconds);

    const body = $('carriers').tBodies[0];
    body.textContent = '';
    for (const c of s.carriers) {
      const tr = body.insertRow();
      tr.dataset.carrier = c.name;
      tr.dataset.state = c.state;
      cell(tr, c.name);
      badge(cell(tr, ''), c.state, STATE_LEVEL[c.state] || '');
      cell(tr, c.binds_up + ' / ' + c.binds_configured, 'num');
      cell(tr, c.in_flight + ' / ' + c.window, 'num');
      cell(tr, c.queued, 'num');
      cell(tr, rate(c.send_rate), 'num');
      cell(tr, rate(c.receipt_rate), 'num');
      cell(tr, c.sends_ok, 'num');
      cell(tr, c.sends_failed, 'num');
      cell(tr, c.throttled, 'num');
      cell(tr, c.breaker);
    }
    const esme = $('esme').tBodies[0];
    esme.textContent = '';
    const sessions = s.esme_sessions || [];
    $('esme-off').hidden = sessions.length > 0;
    for (const e of sessions) {
      const tr = esme.insertRow();
      tr.dataset.esmeAccount = e.account;
      tr.dataset.bindType = e.bind_type;
      tr.dataset.bound = e.bound;
      cell(tr, e.account); cell(tr, e.bind_type); cell(tr, e.bound, 'num');
    }
    const lanes = $('lanes').tBodies[0];
    lanes.textContent = '';
    for (const [lane, n] of Object.entries(s.lanes)) {
      const tr = lanes.insertRow();
      tr.dataset.lane = lane;
      cell(tr, lane); cell(tr, n, 'num');
    }
    const states = $('states').tBodies[0];
    states.textContent = '';
    for (const [state, n] of Object.entries(s.messages_by_state)) {
      const tr = states.insertRow();
      cell(tr, state); cell(tr, n, 'num');
    }
  }

  function renderMessages(list) {
    const body = $('messages').tBodies[0];
    body.textContent = '';
    for (const m of list.messages) {
      const tr = body.insertRow();
      tr.className = 'clickable';
      tr.dataset.id = m.id;
      tr.dataset.state = m.state;
      cell(tr, m.accepted_at);
      cell(tr, m.id).title = m.id;
      cell(tr, m.client);
      cell(tr, m.to);
      badge(cell(tr, ''), m.state, MESSAGE_LEVEL[m.state] || '');
      cell(tr, m.provider);
      cell(tr, m.attempts, 'num');
      cell(tr, m.last_error);
      tr.addEventListener('click', () => { selected = m.id; showHistory(); });
    }
  }

  async function showHistory() {
    if (!selected) return;
    const m = await api('/admin/v1/messages/' + encodeURIComponent(selected));
    $('history').hidden = false;
    $('history-id').textContent = m.id + ' (' + m.state + ')';
    const body = $('history').querySelector('tbody');
    body.textContent = '';
    for (const h of m.history) {
      const tr = body.insertRow();
      cell(tr, h.at); cell(tr, h.from); cell(tr, h.to); cell(tr, h.provider); cell(tr, h.detail);
    }
  }

  const ALERT_LEVEL = { firing: 'bad', resolved: 'ok' };
  const OUTCOME_LEVEL = { sent: 'ok', duplicate: '', filtered: '', not_wanted: '', no_recipients: 'warn', unknown_receiver: 'bad' };

  function renderAlerts(list) {
    $('alerts-off').hidden = list.enabled;
    const body = $('alerts').tBodies[0];
    body.textContent = '';
    for (const a of list.alerts) {
      const tr = body.insertRow();
      tr.className = 'clickable' + (a.id === selectedAlert ? ' selected' : '');
      tr.dataset.alertId = a.id;
      tr.dataset.status = a.status;
      tr.dataset.outcome = a.outcome;
      tr.dataset.messages = a.messages.length;
      cell(tr, a.received_at).title = a.id;
      cell(tr, a.receiver);
      badge(cell(tr, ''), a.status, ALERT_LEVEL[a.status] || '');
      const outcome = cell(tr, '');
      badge(outcome, a.outcome, OUTCOME_LEVEL[a.outcome] || '');
      if (a.duplicate_of) outcome.title = 'duplicate of ' + a.duplicate_of;
      cell(tr, a.alerts.firing, 'num');
      cell(tr, a.alerts.resolved, 'num');
      cell(tr, a.messages.filter((m) => m.message_id).length + ' / ' + a.messages.length, 'num');
      cell(tr, a.messages.map((m) => m.recipient || m.to).join(', '));
      cell(tr, a.text, 'text').title = a.text;
      tr.addEventListener('click', () => { selectedAlert = a.id; showAlert(); });
    }
  }

  async function showAlert() {
    if (!selectedAlert) return;
    const a = await api('/admin/v1/alerts/' + encodeURIComponent(selectedAlert));
    $('alert').hidden = false;
    $('alert-id').textContent = a.id;
    $('alert-group').textContent = a.receiver + ' ' + a.status + ' ' + a.group_key;
    $('alert-notes').textContent = a.notes.join('; ');
    for (const tr of $('alerts').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.alertId === a.id);
    const body = $('alert').querySelector('tbody');
    body.textContent = '';
    for (const m of a.messages) {
      const tr = body.insertRow();
      tr.dataset.alertMessage = m.message_id || '';
      tr.dataset.state = m.state || '';
      cell(tr, m.recipient || '-');
      cell(tr, m.to);
      const id = cell(tr, m.message_id);
      if (m.message_id) {
        tr.className = 'clickable';
        tr.addEventListener('click', () => { selected = m.message_id; showHistory(); });
        id.title = 'show the history';
      }
      if (m.state) badge(cell(tr, ''), m.state, MESSAGE_LEVEL[m.state] || ''); else cell(tr, null);
      cell(tr, m.provider);
      cell(tr, m.error);
    }
  }

  async function refresh() {
    try {
      const [status, messages, alerts] = await Promise.all([
        api('/admin/v1/status'), api('/admin/v1/messages?recent=50&since=15m'),
        api('/admin/v1/alerts?limit=20')]);
      renderStatus(status);
      renderMessages(messages);
      renderAlerts(alerts);
      if (selected) await showHistory();
      if (selectedAlert) await showAlert();
      $('error').textContent = '';
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.dataset.loaded = 'true';
    } catch (e) {
      if (e.auth) { showLogin(e.message); return; }
      $('error').textContent = e.message;
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if ($('live').checked) timer = setTimeout(refresh, REFRESH_MS);
  }

  function showLogin(message) {
    clearTimeout(timer);
    sessionStorage.removeItem('bindery-admin-key');
    $('main').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
  }

  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    key = $('key').value;
    sessionStorage.setItem('bindery-admin-key', key);
    $('login').hidden = true;
    $('main').hidden = false;
    refresh();
  });
  $('live').addEventListener('change', () => ($('live').checked ? refresh() : clearTimeout(timer)));

  key = readKey();
  if (key) { $('main').hidden = false; refresh(); } else { showLogin(''); }
})();
)JS";

Response asset(const Request& req, std::string_view body, const char* type) {
    Response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, type);
    res.set(bhttp::field::cache_control, "no-cache");
    // Only this origin's scripts and requests; the page never loads anything from elsewhere.
    res.set("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.keep_alive(req.keep_alive());
    res.body() = std::string(body);
    res.prepare_payload();
    return res;
}

}  // namespace

Response ui_response(const Request& req, std::string_view file) {
    if (file.empty() || file == "index.html")
        return asset(req, kIndexHtml, "text/html; charset=utf-8");
    if (file == "app.js") return asset(req, kAppJs, "text/javascript; charset=utf-8");
    if (file == "style.css") return asset(req, kStyleCss, "text/css; charset=utf-8");
    return ApiHandler::error_response({404, "not_found", "no such page", "", {}}, req.version(),
                                      req.keep_alive());
}

}  // namespace bindery::http
