/* hallq — hall TV board (综合屏), 1920×1080. Renders from the snapshot, then applies events. */
import { lang, localMessage, localName, tr, windowLabel } from "./lib/i18n.js";
import { $, h, keepAwake, replay, windowNodes } from "./lib/dom.js";
import { shortTime, tickingClock } from "./lib/time.js";
import { deviceToken } from "./lib/device.js";
import { live } from "./lib/live.js";
import { Announcer } from "./lib/announce.js";
import { WaitingCounts } from "./lib/waiting.js";
import { api, paths } from "./lib/api.js";

const root = document.getElementById("hall-board");
const hall = root.dataset.hall;
const token = deviceToken("board", hall);
const RECENT_MAX = 10;
const ACTIVE = ["called", "serving"];

const state = {
  timezone: undefined,
  calling: new Map(),   // ticket id → {ticket, order, recall}
  recent: [],           // tickets, newest first
  services: [],         // [{code, prefix, name, ...}]
  waiting: new WaitingCounts(),
  waits: {},            // service code → estimated wait of a new citizen, seconds (the hall's plan)
  transfers: [],        // ticket.transferred data, newest first, until the ticket is called
  windows: new Map(),   // window id → {id, number, status, services, cover} for the strip
};
const TRANSFERS_MAX = 4;

// ── clock (hall time) ──────────────────────────────────────
const clock = tickingClock(function (c) {
  $("clock-time").textContent = c.time;
  $("clock-date").textContent = c.date;
});

function orderOf(ticket, fallback) {
  const t = Date.parse(ticket.called_at || "");
  return isNaN(t) ? fallback || Date.now() : t;
}

// ── fitting: every list shows all it holds, at any TV size ───────────────
// Each list starts roomy (data-fit="0") and steps to denser layouts (more columns, smaller
// rows: board.css) while its content does not fit its box. #hall-board[data-fitting] is set
// from a change until the lists have been fitted (tests wait for it to clear).
const FIT_LISTS = ["now-calling", "transfers", "recent-calls", "waiting", "satisfaction"];
const FIT_MAX = 3;
let fitFrame = null;

function overflows(el) {
  return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
}

function fitLists() {
  fitFrame = null;
  const lists = FIT_LISTS.map($).filter(Boolean);
  lists.forEach(function (el) { el.dataset.fit = "0"; });
  for (let round = 0; round < FIT_MAX * lists.length; round++) {
    // the most crowded list that can still step, one step at a time: a denser list may give
    // the others their room back
    const over = lists.filter(function (el) {
      return el.offsetParent !== null && Number(el.dataset.fit) < FIT_MAX && overflows(el);
    });
    if (!over.length) break;
    over.sort(function (a, b) { return (b.scrollHeight - b.clientHeight) - (a.scrollHeight - a.clientHeight); });
    over[0].dataset.fit = String(Number(over[0].dataset.fit) + 1);
  }
  // then give room back: a list steps back to roomier while everything still fits
  const anyOver = function () { return lists.some(function (el) { return el.offsetParent !== null && overflows(el); }); };
  ["recent-calls", "now-calling", "waiting", "transfers", "satisfaction"].map($).forEach(function (el) {
    while (el && Number(el.dataset.fit) > 0) {
      el.dataset.fit = String(Number(el.dataset.fit) - 1);
      if (anyOver()) { el.dataset.fit = String(Number(el.dataset.fit) + 1); break; }
    }
  });
  delete root.dataset.fitting;
}

function refit() {
  root.dataset.fitting = "yes";
  if (!fitFrame) fitFrame = window.requestAnimationFrame(fitLists);
}
window.addEventListener("resize", refit);

// ── rendering ──────────────────────────────────────────────
function renderCalling(flashId) {
  const list = $("now-calling");
  const rows = Array.from(state.calling.values()).sort(function (a, b) { return b.order - a.order; });
  list.textContent = "";
  rows.forEach(function (row) {
    const t = row.ticket;
    const serving = t.status === "serving";
    const li = h("li", {
      class: "call-row" + (serving ? " serving" : "") + (t.ref === flashId ? " flash" : ""),
      dataset: { ticketRef: t.ref, ticketNumber: t.number, windowNumber: t.window ? t.window.number : "" },
    },
      h("span", { class: "call-number num", text: t.number }),
      h("span", { class: "call-arrow", "aria-hidden": "true", text: "→" }),
      h("span", { class: "call-window" }, windowNodes(t.window ? t.window.number : "")),
      h("span", { class: "call-tag" + (serving ? " serving" : row.recall ? " recall" : ""),
        text: serving ? tr("serving") : row.recall ? tr("recall_tag") : tr("calling") })
    );
    list.appendChild(li);
  });
  $("calling-empty").hidden = rows.length > 0;
  refit();
}

function renderRecent() {
  const list = $("recent-calls");
  list.textContent = "";
  state.recent.slice(0, RECENT_MAX).forEach(function (t) {
    list.appendChild(h("li", { class: "recent-item status-" + t.status, dataset: { ticketNumber: t.number } },
      h("span", { class: "num r-number", text: t.number }),
      h("span", { class: "r-window", text: t.window ? windowLabel(t.window) : "" }),
      h("span", { class: "r-time num", text: shortTime(t.called_at, state.timezone) })));
  });
  refit();
}

function waitText(code) {
  const s = state.waits[code];
  if (!state.waiting.of(code) || s === undefined || s === null) return "";
  return tr("wait_about", { n: Math.max(1, Math.ceil(s / 60)) });
}

function renderWaiting() {
  const list = $("waiting");
  list.textContent = "";
  state.services.forEach(function (s) {
    const n = state.waiting.of(s.code);
    list.appendChild(h("li", { class: n ? "" : "zero", dataset: { service: s.code } },
      h("span", { class: "w-letter num", text: s.prefix || s.code }),
      h("span", { class: "w-name", text: localName(s) }),
      h("span", { class: "w-wait", text: waitText(s.code) }),
      h("span", { class: "w-count" }, h("b", { class: "num", text: String(n) }), h("small", { text: tr("waiting_unit") }))));
  });
  refit();
}

// ── estimated waits: the snapshot's, then re-read (the hall's plan, cached by the server) a few
// seconds after the queues change, and every minute as services go on ─────────────────────
const WAITS_AFTER_MS = 5000;
const WAITS_EVERY_MS = 60000;
let waitsTimer = null;

function keepWaits(services) {
  state.waits = {};
  (services || []).forEach(function (s) { state.waits[s.code] = s.estimated_wait_s; });
}

function refreshWaits() {
  waitsTimer = null;
  api("GET", paths.hall(hall), null, { token: token })
    .then(function (info) { keepWaits(info.services); renderWaiting(); })
    .catch(function () {});
}

function refreshWaitsSoon() {
  if (!waitsTimer) waitsTimer = setTimeout(refreshWaits, WAITS_AFTER_MS);
}
setInterval(refreshWaits, WAITS_EVERY_MS);

// ── the windows strip: number, status, the letters of its services ─────
function letterOf(code) {
  const s = state.services.find(function (x) { return x.code === code; });
  return s ? s.prefix || s.code : code;
}

function renderWindows() {
  const list = $("window-strip");
  list.textContent = "";
  Array.from(state.windows.values()).sort(function (a, b) { return a.number - b.number; }).forEach(function (w) {
    const go = w.status !== "open" && w.cover && w.cover.window ? w.cover.window.number : null;
    list.appendChild(h("li", {
      class: "ws status-" + w.status + (go ? " covered" : ""),
      dataset: { windowId: w.id, windowNumber: w.number, status: w.status, services: (w.services || []).join(",") },
    },
      h("b", { class: "ws-num num", text: String(w.number) }),
      w.status !== "open" ? h("span", { class: "ws-state", text: tr("ws_" + w.status) }) : null,
      // closed, its B post covers elsewhere: point there ("3 → 2")
      go ? h("span", { class: "ws-go num", title: tr("window_go", { n: go }), text: "→" + go })
        : h("span", { class: "ws-svcs num", text: (w.services || []).map(letterOf).join("\u2009") || "—" })));
  });
}

function keepWindow(w) {
  if (!w || typeof w.id !== "number") return;
  const prev = state.windows.get(w.id) || {};
  state.windows.set(w.id, { id: w.id, number: w.number, status: w.status, services: w.services || prev.services || [],
    cover: "cover" in w ? w.cover : prev.cover || null });
}

// ── the call banner + voice ────────────────────────────────
let bannerTimer = null;
/** The banner across the board for a while; `transfer` styles it as a transfer's message. */
function showBanner(text, transfer) {
  const b = $("call-banner");
  b.textContent = text;
  b.classList.toggle("transfer", transfer);
  b.hidden = false;
  replay(b, "show"); // restart the animation on a repeated call
  if (bannerTimer) clearTimeout(bannerTimer);
  bannerTimer = setTimeout(function () { b.hidden = true; }, 9000);
}

function banner(t) {
  showBanner(tr("call_banner", { number: t.number, window: t.window ? t.window.number : "" }), false);
}

// Voice: only the zone's speaker board plays sound (its token says so); anonymous boards never do.
const voice = new Announcer({
  onQueue: function (n) {
    const el = $("voice-queue");
    el.hidden = n === 0;
    el.textContent = tr("voice_queue", { n: n });
    el.dataset.count = String(n);
  },
  onBlocked: function (retry) {
    const b = $("voice-on");
    b.hidden = false;
    b.onclick = function () { b.hidden = true; retry(); };
  },
});
if (token) {
  api("GET", "/api/v1/halls/" + encodeURIComponent(hall) + "/voice", null, { token: token })
    .then(function (v) { voice.enable(v && v.speaker); }, function () { voice.enable(false); });
}

function announceCall(t, announcement) {
  if (!t.window) return;
  const a = announcement || {};
  const zh = a.text || "请" + t.number + "号到" + t.window.number + "号窗口办理";
  const fallback = [{ text: zh, lang: "zh-CN" }];
  if (a.text_en) fallback.push({ text: a.text_en, lang: "en-US" });
  voice.add({ text: zh, text_en: a.text_en || null, audio_url: a.audio_url || null, times: a.times || 2, fallback: fallback });
}

// ── transfers (转办): tell the citizen where to go now ───────
function messageOf(d) {
  const m = d.message || {};
  return localMessage(m) || m.zh || "";
}

function serviceLabel(code) {
  const s = state.services.find(function (x) { return x.code === code; });
  return s ? localName(s) : code;
}

function renderTransfers(flashId) {
  const list = $("transfers");
  list.textContent = "";
  state.transfers.slice(0, TRANSFERS_MAX).forEach(function (d) {
    list.appendChild(h("li", {
      class: "transfer-item" + (d.ticket.ref === flashId ? " flash" : ""),
      dataset: { ticketRef: d.ticket.ref, ticketNumber: d.ticket.number, windows: (d.to.windows || []).join(",") },
    },
      h("span", { class: "t-message", text: messageOf(d) }),
      h("span", { class: "t-service", text: tr("transfer_to", { service: serviceLabel(d.to.service) }) })));
  });
  $("transfers-panel").hidden = state.transfers.length === 0;
  refit();
}

function onTransferred(d) {
  if (!d.ticket) return;
  state.transfers = state.transfers.filter(function (x) { return x.ticket.ref !== d.ticket.ref; });
  state.transfers.unshift(d);
  state.transfers.length = Math.min(state.transfers.length, TRANSFERS_MAX);
  renderTransfers(d.ticket.ref);
  showBanner(messageOf(d), true);
  // read once: the citizen standing at the wrong window hears where to go
  const m = d.message || {};
  const parts = [];
  if (m.zh) parts.push({ text: m.zh, lang: "zh-CN" });
  if (lang === "en" && m.en) parts.push({ text: m.en, lang: "en-US" });
  if (parts.length) voice.add({ text: m.zh || m.en, audio_url: null, times: 1, fallback: parts });
}

/** A transferred ticket leaves the list once it is called (or ends). */
function dropTransfer(t) {
  if (!t || t.status === "waiting") return;
  const before = state.transfers.length;
  state.transfers = state.transfers.filter(function (x) { return x.ticket.ref !== t.ref; });
  if (state.transfers.length !== before) renderTransfers();
}

// ── state changes ──────────────────────────────────────────
function upsertCalling(t, order, recall) {
  if (!t || !t.window || ACTIVE.indexOf(t.status) === -1) return;
  // One window serves one citizen: a new call replaces whatever that window showed.
  state.calling.forEach(function (row, id) {
    if (id !== t.ref && row.ticket.window && row.ticket.window.id === t.window.id) state.calling.delete(id);
  });
  const prev = state.calling.get(t.ref);
  state.calling.set(t.ref, {
    ticket: t,
    order: order !== undefined ? order : prev ? prev.order : orderOf(t),
    recall: recall !== undefined ? recall : prev ? prev.recall : false,
  });
}

function touchRecent(t, front) {
  const i = state.recent.findIndex(function (x) { return x.ref === t.ref; });
  if (front) {
    if (i !== -1) state.recent.splice(i, 1);
    state.recent.unshift(t);
    state.recent.length = Math.min(state.recent.length, RECENT_MAX);
  } else if (i !== -1) {
    state.recent[i] = t;
  }
}

function onSnapshot(snap) {
  if (snap.hall) {
    $("hall-name").textContent = localName(snap.hall);
    document.title = localName(snap.hall) + " · " + document.title.split(" · ").pop();
    state.timezone = snap.hall.timezone;
    clock.setZone(snap.hall.timezone);
  }
  state.calling.clear();
  (snap.now_calling || []).forEach(function (t) { upsertCalling(t, orderOf(t)); });
  (snap.windows || []).forEach(function (w) { if (w.current) upsertCalling(Object.assign({}, w.current, { window: w.current.window || { id: w.id, number: w.number, name: w.name } })); });
  state.recent = (snap.recent_calls || []).slice(0, RECENT_MAX);
  state.services = snap.services || [];
  keepWaits(state.services);
  state.waiting.reset(snap);
  state.windows.clear();
  (snap.windows || []).forEach(keepWindow);
  // transfers whose citizens still wait: a reloaded board keeps telling them where to go
  state.transfers = (snap.transfers || []).slice(0, TRANSFERS_MAX);
  renderCalling();
  renderRecent();
  renderWaiting();
  renderWindows();
  renderTransfers();
}

function onEvent(env) {
  const d = env.data || {};
  const t = d.ticket;
  if (state.waiting.apply(env)) { renderWaiting(); refreshWaitsSoon(); }
  if (env.type === "ticket.transferred") onTransferred(d);
  else if (t) dropTransfer(t);
  switch (env.type) {
    case "ticket.called":
    case "ticket.recalled": {
      const order = Date.parse(env.at) || Date.now();
      upsertCalling(t, order, env.type === "ticket.recalled");
      touchRecent(t, true);
      renderCalling(t.ref);
      renderRecent();
      banner(t);
      announceCall(t, d.announcement);
      break;
    }
    case "ticket.started":
    case "ticket.no_show_undone":   // a 过号 taken back: called at its window again
      upsertCalling(t);
      touchRecent(t, false);
      renderCalling();
      renderRecent();
      break;
    case "ticket.done":
    case "ticket.no_show":
    case "ticket.cancelled":
    case "ticket.transferred":
    case "ticket.reactivated":
      if (t) {
        if (ACTIVE.indexOf(t.status) === -1) state.calling.delete(t.ref);
        else upsertCalling(t);
        touchRecent(t, false);
      }
      renderCalling();
      renderRecent();
      break;
    case "window.updated": {
      const w = d.window;
      if (!w) break;
      if (!w.current || w.status === "closed") {
        state.calling.forEach(function (row, id) {
          if (row.ticket.window && row.ticket.window.id === w.id && (!w.current || w.current.ref !== id)) state.calling.delete(id);
        });
      }
      if (w.current) upsertCalling(Object.assign({}, w.current, { window: w.current.window || { id: w.id, number: w.number, name: w.name } }));
      renderCalling();
      keepWindow(w);
      renderWindows();
      break;
    }
    case "hall.updated":
      loadSatisfaction();
      break;
    default:
      break;
  }
}

// ── 公开监督: this month's satisfaction rate per window (only when the hall switched it on) ──
const SATISFACTION_EVERY_MS = 10 * 60 * 1000;

function renderSatisfaction(res) {
  const panel = $("satisfaction-panel");
  const list = $("satisfaction");
  list.textContent = "";
  const shown = !!(res && res.shown);
  panel.hidden = !shown;
  root.dataset.satisfaction = shown ? "on" : "off";
  if (!shown) { refit(); return; }
  res.windows.forEach(function (w) {
    const rate = w.satisfaction_rate;
    list.appendChild(h("li", { class: "sat-row", title: w.name, dataset: { windowNumber: w.number } },
      h("b", { class: "sat-win num", text: tr("satisfaction_window", { n: w.number }) }),
      h("span", { class: "sat-rate num" + (rate == null ? " few" : ""),
        title: tr("satisfaction_rated", { n: w.rated }),
        text: rate == null ? tr("satisfaction_few") : (rate * 100).toFixed(1) + "%" })));
  });
  refit();
}

function loadSatisfaction() {
  api("GET", paths.satisfaction(hall), null, { token: token }).then(renderSatisfaction).catch(function () {});
}

loadSatisfaction();
setInterval(loadSatisfaction, SATISFACTION_EVERY_MS);

live({ hall: hall, token: token, onSnapshot: onSnapshot, onEvent: onEvent });

// The board runs for days: make sure the browser never puts it to sleep.
keepAwake();
