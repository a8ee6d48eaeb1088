/* hallq — clerk console (呼叫器). Session login: the API calls carry the cookie + X-CSRFToken. */
import { localMessage, localName, localText, statusLabel, strings, tr } from "./lib/i18n.js";
import { $, closeButton, debounce, h, windowNodes } from "./lib/dom.js";
import { hallToday, shortTime } from "./lib/time.js";
import { api, errorText, paths } from "./lib/api.js";
import { say } from "./lib/toast.js";
import { live } from "./lib/live.js";
import { initCases, onCaseEvent } from "./clerk-cases.js";
import { escalateCase, initEscalations, onEscalationEvent } from "./clerk-escalations.js";
import { initKeys, keyOf } from "./clerk-keys.js";

const root = document.getElementById("console");
const hall = root.dataset.hall;

const state = {
  me: null,
  windowId: null,     // the window this user is signed in at
  win: null,          // GET /api/v1/windows/<id> (with .waiting)
  windows: [],        // the hall's windows (picker)
  services: {},       // code → service (names)
  timezone: undefined,
  busy: false,
};

// ── messages: toasts; an API error with what it means for the clerk ("权限不足 — …") ──
function sayError(err) { say("error", errorText(err)); }

// ── data ───────────────────────────────────────────────────
async function loadMe() {
  state.me = await api("GET", paths.me());
  state.windowId = state.me.window ? state.me.window.id : null;
}

async function loadSnapshot() {
  const snap = await api("GET", paths.snapshot(hall));
  applySnapshot(snap);
}

function applySnapshot(snap) {
  state.windows = snap.windows || [];
  state.timezone = snap.hall ? snap.hall.timezone : undefined;
  if (snap.hall) $("hall-name").textContent = localName(snap.hall);
  (snap.services || []).forEach(function (s) { state.services[s.code] = s; });
  renderPicker();
}

async function loadWindow() {
  if (!state.windowId) { state.win = null; render(); return; }
  try {
    state.win = await api("GET", paths.window(state.windowId));
    // Signed out elsewhere (another tab, a manager): back to the picker.
    if (!state.win.clerk || state.win.clerk.username !== root.dataset.user) {
      state.windowId = null;
      state.win = null;
    }
  } catch (err) {
    sayError(err);
  }
  render();
}

const refresh = debounce(function () { loadWindow(); }, 250);

// ── rendering ──────────────────────────────────────────────
function serviceName(code) {
  const s = state.services[code];
  return s ? localName(s) : code;
}

function windowStatusText(status) {
  return tr({ open: "window_open", paused: "window_paused", closed: "window_closed" }[status] || "window_closed");
}

function renderPicker() {
  const grid = $("window-grid");
  grid.textContent = "";
  state.windows.forEach(function (w) {
    const taken = w.clerk && w.clerk.username !== root.dataset.user;
    grid.appendChild(h("button", {
      type: "button", class: "window-tile status-" + w.status + (taken ? " taken" : ""),
      dataset: { windowId: w.id }, disabled: taken ? true : null,
      onclick: function () { signIn(w); },
    },
      h("span", { class: "wt-number" }, windowNodes(w.number)),
      h("span", { class: "wt-services" }, (w.services || []).map(function (c) {
        return h("span", { class: "chip" }, h("b", { text: c }), " " + serviceName(c));
      })),
      h("span", { class: "wt-foot" },
        h("span", { class: "pill " + w.status, text: windowStatusText(w.status) }),
        taken ? h("span", { class: "muted", text: tr("occupied_by", { name: w.clerk.name || w.clerk.username }) }) : null)
    ));
  });
}

function render() {
  const signedIn = !!(state.windowId && state.win);
  $("picker").hidden = signedIn;
  $("workspace").hidden = !signedIn;
  $("window-state").hidden = !signedIn;
  document.body.dataset.signedIn = signedIn ? "yes" : "no";
  // the B-post alarm: above the picker, or heading the right column (never above the action bar)
  const alarms = $("b-alarms");
  if (signedIn && alarms.parentNode !== $("workspace")) $("workspace").insertBefore(alarms, document.querySelector(".waiting-card"));
  else if (!signedIn && alarms.parentNode !== root) root.insertBefore(alarms, $("picker"));
  if (!signedIn) return;
  const w = state.win;
  root.dataset.windowStatus = w.status;
  $("win-label").textContent = tr("window_n", { n: w.number });
  $("win-status").textContent = windowStatusText(w.status);
  $("win-status").className = "pill " + w.status;
  $("win-reason").textContent = w.status === "paused" && w.pause_reason ? w.pause_reason : "";
  // AB岗: while an A clerk is away my call-next serves their window too
  const covering = w.covering || [];
  $("win-covering").hidden = covering.length === 0;
  $("win-covering").textContent = covering.length
    ? tr("covering", { list: covering.map(function (c) { return c.number; }).join(tr("list_sep")) }) : "";

  const cur = w.current;
  $("cur-number").textContent = cur ? cur.number : "—";
  $("cur-number").dataset.ticketNumber = cur ? cur.number : "";
  $("cur-service").textContent = cur ? localText(cur, "service_name") : tr("no_current");
  $("cur-status").textContent = cur ? statusLabel(cur.status) : "";
  $("cur-status").className = "pill " + (cur ? cur.status : "hidden");
  const extra = [];
  if (cur && cur.called_at) extra.push(tr("called_at", { time: shortTime(cur.called_at, state.timezone) }));
  if (cur && cur.recalls) extra.push(tr("recalls_n", { n: cur.recalls }));
  $("cur-extra").textContent = extra.join(" · ");

  const open = w.status === "open";
  const status = cur ? cur.status : null;
  $("btn-call").disabled = !open || !!cur;
  $("btn-recall").disabled = status !== "called";
  $("btn-start").disabled = status !== "called";
  $("btn-no-show").disabled = status !== "called";
  $("btn-complete").disabled = status !== "serving";
  // 办结并叫号 calls too: only at an open window (a paused one completes with 办结)
  $("btn-complete-next").disabled = status !== "serving" || !open;
  $("btn-outcome").disabled = status !== "serving";
  $("pause-form").hidden = w.status !== "open";
  $("btn-resume").hidden = w.status !== "paused";
  $("btn-sign-out").disabled = !!cur;
  renderFirstContact(cur);

  const waiting = w.waiting || [];
  $("waiting-count").textContent = waiting.length ? tr("waiting_count", { n: waiting.length }) : "";
  const body = $("waiting-body");
  body.textContent = "";
  const now = Date.now();
  waiting.forEach(function (t, i) {
    const waited = Math.max(0, Math.floor((now - Date.parse(t.queued_at)) / 60000));
    body.appendChild(h("tr", { dataset: { ticketNumber: t.number } },
      h("td", { class: "muted num", text: String(i + 1) }),
      h("td", {},
        h("b", { class: "num", text: t.number }),
        t.priority ? h("span", { class: "tag prio", text: tr("priority") }) : null,
        t.directed_window ? h("span", { class: "tag", text: tr("directed") }) : null,
        t.notice ? h("span", { class: "tag notice", text: tr("tag_notice") }) : null),
      h("td", { text: localText(t, "service_name") }),
      h("td", { class: "num", text: shortTime(t.queued_at, state.timezone) }),
      h("td", { class: "num", text: tr("waited_min", { n: waited }) })));
  });
  $("waiting-empty").hidden = waiting.length > 0;
}

// ── actions ────────────────────────────────────────────────
async function run(fn) {
  if (state.busy) return;
  state.busy = true;
  root.classList.add("busy");
  try {
    await fn();
  } catch (err) {
    sayError(err);
  } finally {
    state.busy = false;
    root.classList.remove("busy");
    await loadWindow();
    focusNext();
  }
}

// ── focus: after each step, on the next likely action (Enter does it) ──
/** The button the clerk most likely presses next, for the ticket at the counter now. */
function nextLikely() {
  const cur = state.win && state.win.current;
  if (!cur) return $("btn-call");
  if (cur.status === "called") return $("btn-start");
  if (cur.status === "serving") return $("btn-complete-next").disabled ? $("btn-complete") : $("btn-complete-next");
  return $("btn-call");
}

/** Move the focus to the next likely action, unless the clerk is typing or in a dialog. */
function focusNext() {
  if (!state.win || document.querySelector("dialog[open]")) return;
  const active = document.activeElement;
  const lost = !active || active === document.body || active.offsetParent === null;   // e.g. the picker tile
  if (!lost && !(active.tagName === "BUTTON" && active.closest(".current-card"))) return;   // typing elsewhere
  const b = nextLikely();
  if (b && !b.disabled) b.focus();
}

function signIn(w) {
  run(async function () {
    const res = await api("POST", paths.windowAction(w.id, "sign-in"));
    state.windowId = res.id;
    say("ok", tr("signed_in_ok", { window: tr("window_n", { n: res.number }) }));
  });
}

function ticketAction(action, okKey, then) {
  const cur = state.win && state.win.current;
  if (!cur) return;
  run(async function () {
    const t = await api("POST", paths.ticketAction(cur.id, action));
    if (then) then(t);
    else say("ok", tr(okKey, { number: t.number }));
  });
}

// ── 过号 with 撤销: the server takes a no-show back within a few seconds, by the same clerk ──
const UNDO_MS = 6000;   // the toast; the server allows 10 s (domain/ticket.py NO_SHOW_UNDO_WINDOW)
const undo = { ticket: null, el: null, timer: null };

function dropUndo() {
  if (undo.timer) clearTimeout(undo.timer);
  if (undo.el) undo.el.remove();
  undo.ticket = null; undo.el = null; undo.timer = null;
}

function offerUndo(t) {
  dropUndo();
  const key = keyOf("undo");
  const button = h("button", { type: "button", class: "btn small undo-btn", id: "btn-undo-no-show" },
    tr("undo"), key ? h("kbd", { class: "key-hint", "aria-hidden": "true", text: key }) : null);
  if (key) button.setAttribute("aria-keyshortcuts", key);
  button.addEventListener("click", undoNoShow);
  const el = h("div", { class: "alert info undo-toast", role: "status", id: "undo-toast" },
    h("span", { text: tr("no_show_ok", { number: t.number }) }), button);
  $("messages").appendChild(el);
  undo.ticket = t; undo.el = el;
  undo.timer = setTimeout(dropUndo, UNDO_MS);
}

function undoNoShow() {
  const t = undo.ticket;
  if (!t) return;
  dropUndo();
  run(async function () {
    const back = await api("POST", paths.ticketAction(t.id, "undo-no-show"));
    say("ok", tr("undone_ok", { number: back.number }));
  });
}

$("btn-call").addEventListener("click", function () {
  run(async function () {
    const t = await api("POST", paths.windowAction(state.windowId, "call-next"));
    if (t) say("ok", tr("called_ok", { number: t.number }));
    else say("info", tr("nobody_waiting"));
  });
});
$("btn-recall").addEventListener("click", function () { ticketAction("recall", "recalled_ok"); });
$("btn-start").addEventListener("click", function () { ticketAction("start", "started_ok"); });
$("btn-no-show").addEventListener("click", function () { ticketAction("no-show", "no_show_ok", offerUndo); });
$("btn-complete").addEventListener("click", function () { ticketAction("complete", "completed_ok"); });
// 办结并叫号: one request, one transaction (POST /tickets/<id>/complete-and-call-next)
$("btn-complete-next").addEventListener("click", function () {
  const cur = state.win && state.win.current;
  if (!cur) return;
  run(async function () {
    const res = await api("POST", paths.ticketAction(cur.id, "complete-and-call-next"));
    const done = res.completed.number;
    if (res.called) say("ok", tr("completed_called_ok", { number: done, next: res.called.number }));
    else say("info", tr("completed_none_ok", { number: done }));
  });
});

$("pause-form").addEventListener("submit", function (ev) {
  ev.preventDefault();
  const reason = $("pause-reason").value.trim();
  if (!reason) { say("error", tr("reason_required")); $("pause-reason").focus(); return; }
  run(async function () {
    await api("POST", paths.windowAction(state.windowId, "pause"), { reason: reason });
    $("pause-reason").value = "";
    say("ok", tr("paused_ok"));
  });
});
$("btn-resume").addEventListener("click", function () {
  run(async function () {
    await api("POST", paths.windowAction(state.windowId, "resume"));
    say("ok", tr("resumed_ok"));
  });
});
$("btn-sign-out").addEventListener("click", function () {
  if (!window.confirm(tr("confirm_sign_out"))) return;
  run(async function () {
    await api("POST", paths.windowAction(state.windowId, "sign-out"));
    state.windowId = null;
    say("ok", tr("signed_out_ok"));
    await loadSnapshot();
  });
});

// ── first contact (首办责任制 / 一次告知制) ──────────────────
// The owner and transfer chain of the current ticket, the notice a returning citizen holds,
// the transfer and notice dialogs, and the owner's follow-up list.
const fc = {
  curId: null,          // the current ticket whose details (transfer chain) we hold
  detail: null,         // GET /api/v1/tickets/<id> of it
  hallServices: [],     // GET /api/v1/halls/<hall> services: the transfer targets
  follow: [],           // GET /api/v1/me/follow-ups
  followIds: new Set(),
  transferFor: null,    // the ticket the transfer dialog is open for
  target: null,         // {service: CODE} | {window: ID}
  notice: null,         // the notice dialog: {ticket, materials, free, prevKeys, asked}
  noticeJob: null,      // the window printer's job for the notice just made
};
const me = root.dataset.user;

function listText(items) { return items.join(tr("list_sep")); }

function clerkText(c) {
  if (!c) return "";
  return (c.name || c.username) + (c.badge ? tr("owner_badge", { badge: c.badge }) : "");
}

async function loadDetail(id) {
  try {
    const t = await api("GET", paths.ticket(id));
    if (fc.curId !== id) return;
    fc.detail = t;
    render();
  } catch (err) { /* the chain is a nicety: the ticket itself is on screen */ }
}

function chainStep(x) {
  const from = serviceName(x.from_service) + (x.from_window ? " · " + tr("window_n", { n: x.from_window.number }) : "");
  const to = serviceName(x.to_service) + (x.to_window ? " · " + tr("window_n", { n: x.to_window.number }) : "");
  return h("li", {},
    h("span", { class: "num when", text: shortTime(x.at, state.timezone) }),
    h("b", { text: tr("chain_step", { from: from, to: to }) }),
    h("span", { class: "why", text: x.reason }),
    x.overridden ? h("span", { class: "tag prio", text: tr("chain_overridden") }) : null);
}

function renderFirstContact(cur) {
  const status = cur ? cur.status : null;
  const active = status === "called" || status === "serving";
  $("btn-transfer").disabled = !active;
  $("btn-notice").disabled = !active;
  $("btn-escalate").disabled = !active;

  if (!cur) { fc.curId = null; fc.detail = null; }
  else if (cur.id !== fc.curId) { fc.curId = cur.id; fc.detail = null; loadDetail(cur.id); }

  const owner = cur && cur.owner;
  $("cur-owner").hidden = !owner;
  if (owner) {
    $("cur-owner").textContent = tr("owner_line", { name: clerkText(owner) }) + (owner.username === me ? tr("owner_you") : "");
  }

  const n = cur && cur.notice;
  $("notice-back").hidden = !n;
  if (n) {
    $("nb-title").textContent = tr("notice_back_title", { code: n.code });
    $("notice-back").dataset.code = n.code;
    const list = $("nb-items");
    list.textContent = "";
    (n.missing || []).forEach(function (m) {
      list.appendChild(h("li", {}, h("b", { text: m.name }),
        m.reason ? h("span", { class: "muted", text: tr("notice_reason", { reason: m.reason }) }) : null));
    });
    $("nb-note").hidden = !n.note;
    $("nb-note").textContent = n.note ? tr("notice_back_note", { note: n.note }) : "";
    const d = new Date(n.created_at);
    $("nb-meta").textContent = isNaN(d.getTime()) ? "" : tr("notice_back_date", { time: d.toLocaleDateString("zh-CN") + " " + shortTime(n.created_at, state.timezone) });
  }

  const chain = cur && fc.detail && fc.detail.id === cur.id ? fc.detail.transfers || [] : [];
  $("cur-chain").hidden = !chain.length;
  const cl = $("chain-list");
  cl.textContent = "";
  chain.forEach(function (x) { cl.appendChild(chainStep(x)); });
}

function closeDialog(ev) {
  const d = ev.target.closest("dialog");
  if (d && d.open) d.close();
}
document.querySelectorAll("dialog [data-close]").forEach(function (b) { b.addEventListener("click", closeDialog); });

// ── 转办: to a service or to a window, with a reason ───────
async function loadHallServices() {
  try {
    const info = await api("GET", paths.hall(hall));
    fc.hallServices = info.services || [];
  } catch (err) { /* the snapshot's services will do */ }
}

function openWindowsFor(code) {
  return state.windows
    .filter(function (w) { return w.status === "open" && (w.services || []).indexOf(code) !== -1; })
    .map(function (w) { return w.number; });
}

function setTransferTab(tab) {
  document.querySelectorAll("#transfer-dialog .fc-tab").forEach(function (b) {
    b.classList.toggle("active", b.dataset.tab === tab);
    b.setAttribute("aria-selected", b.dataset.tab === tab ? "true" : "false");
  });
  document.querySelectorAll("#transfer-dialog [data-pane]").forEach(function (p) { p.hidden = p.dataset.pane !== tab; });
}

function renderTransferChoices() {
  const cur = fc.transferFor;
  if (!cur) return;
  const sbox = $("transfer-services");
  sbox.textContent = "";
  const services = fc.hallServices.length ? fc.hallServices : Object.keys(state.services).map(function (k) { return state.services[k]; });
  services.forEach(function (svc) {
    const open = openWindowsFor(svc.code);
    const same = svc.code === cur.service;
    const chosen = !!fc.target && fc.target.service === svc.code;
    sbox.appendChild(h("button", {
      type: "button", class: "fc-choice" + (chosen ? " selected" : "") + (open.length ? "" : " no-open"),
      dataset: { service: svc.code }, disabled: same ? true : null, "aria-pressed": chosen ? "true" : "false",
      onclick: function () { fc.target = { service: svc.code }; transferError(""); renderTransferChoices(); },
    },
      h("span", { class: "fc-letter num", text: svc.prefix || svc.code }),
      h("span", { class: "fc-body" },
        h("b", { text: localName(svc) }),
        h("small", { text: same ? tr("current_service") : open.length ? tr("open_windows", { list: listText(open) }) : tr("no_open_window") }))));
  });
  const wbox = $("transfer-windows");
  wbox.textContent = "";
  state.windows.forEach(function (w) {
    if (w.id === state.windowId) return;
    const chosen = !!fc.target && fc.target.window === w.id;
    wbox.appendChild(h("button", {
      type: "button", class: "fc-choice window status-" + w.status + (chosen ? " selected" : ""),
      dataset: { windowId: w.id }, "aria-pressed": chosen ? "true" : "false",
      onclick: function () { fc.target = { window: w.id }; transferError(""); renderTransferChoices(); },
    },
      h("span", { class: "fc-letter num", text: String(w.number) }),
      h("span", { class: "fc-body" },
        h("b", { text: tr("window_n", { n: w.number }) }),
        h("small", { text: tr("window_services", { list: listText((w.services || []).map(serviceName)) }) }),
        h("span", { class: "fc-foot" },
          h("span", { class: "pill " + w.status, text: windowStatusText(w.status) }),
          w.clerk ? h("span", { class: "muted", text: w.clerk.name || w.clerk.username }) : null))));
  });
}

function transferError(text) {
  $("transfer-error").textContent = text;
  $("transfer-error").hidden = !text;
}

function openTransfer() {
  const cur = state.win && state.win.current;
  if (!cur) return;
  fc.transferFor = cur;
  fc.target = null;
  $("transfer-number").textContent = cur.number;
  $("transfer-reason").value = "";
  transferError("");
  setTransferTab("service");
  renderTransferChoices();
  $("transfer-dialog").showModal();
  loadHallServices().then(renderTransferChoices);
}

$("btn-transfer").addEventListener("click", openTransfer);
document.querySelectorAll("#transfer-dialog .fc-tab").forEach(function (b) {
  b.addEventListener("click", function () { setTransferTab(b.dataset.tab); });
});
document.querySelectorAll("#reason-chips .chip-btn").forEach(function (b) {
  b.addEventListener("click", function () {
    $("transfer-reason").value = b.textContent.trim();
    transferError("");
    document.querySelectorAll("#reason-chips .chip-btn").forEach(function (x) { x.classList.toggle("selected", x === b); });
  });
});
$("transfer-reason").addEventListener("input", function () {
  document.querySelectorAll("#reason-chips .chip-btn").forEach(function (x) { x.classList.toggle("selected", x.textContent.trim() === $("transfer-reason").value.trim()); });
});

$("transfer-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const cur = fc.transferFor;
  if (!cur) return;
  if (!fc.target) { transferError(tr("transfer_pick")); return; }
  const reason = $("transfer-reason").value.trim();
  if (!reason) { transferError(tr("transfer_reason_needed")); $("transfer-reason").focus(); return; }
  transferError("");
  $("transfer-submit").disabled = true;
  try {
    const res = await api("POST", paths.ticketAction(cur.id, "transfer"),
      Object.assign({ reason: reason }, fc.target));
    $("transfer-dialog").close();
    const m = res.message || {};
    say("ok", tr("transferred_ok", { message: localMessage(m) || res.number }));
    fc.transferFor = null;
    await loadWindow();
    refreshFollowUps();
    $("btn-call").focus();   // the citizen went on: the next one
  } catch (err) {
    const closed = fc.target && fc.target.window ? "transfer_window_closed" : "transfer_no_window";
    transferError(err.code === "no_open_window" ? tr(closed) + " — " + err.message
      : err.status === 409 || err.status === 400 ? err.message : errorText(err));
  } finally {
    $("transfer-submit").disabled = false;
  }
});

// ── 一次告知: tick every missing item at once ──────────────
function itemKey(m) { return m.id || String(m.name || "").trim(); }

function formText(form) {
  const key = "form_" + form;
  return Object.prototype.hasOwnProperty.call(strings, key) ? tr(key) : form || "";
}

function noticeError(text) {
  $("notice-error").textContent = text;
  $("notice-error").hidden = !text;
}

function renderMaterials() {
  const nt = fc.notice;
  const box = $("notice-materials");
  const ticked = new Set(Array.from(box.querySelectorAll("input:checked")).map(function (i) { return i.value; }));
  box.textContent = "";
  nt.materials.forEach(function (m) {
    const told = nt.prevKeys.has(itemKey(m));
    box.appendChild(h("label", { class: "material" + (m.required ? " required" : ""), dataset: { material: m.id } },
      h("input", { type: "checkbox", value: m.id, checked: ticked.has(m.id) ? true : null }),
      h("span", { class: "m-body" },
        h("span", { class: "m-name" }, localName(m),
          told ? h("span", { class: "tag", text: tr("told_before") }) : null),
        h("span", { class: "m-meta" },
          h("span", { class: "m-form", text: formText(m.form) }),
          h("span", { text: tr("copies_n", { n: m.copies || 1 }) }),
          h("span", { class: m.required ? "m-req" : "m-opt", text: tr(m.required ? "required" : "optional") })),
        m.notes ? h("span", { class: "m-notes", text: m.notes }) : null)));
  });
}

function renderFreeItems() {
  const list = $("free-list");
  list.textContent = "";
  fc.notice.free.forEach(function (name, i) {
    list.appendChild(h("li", {}, h("span", { text: name }),
      h("button", { type: "button", class: "close", "aria-label": tr("remove"), text: "×",
        onclick: function () { fc.notice.free.splice(i, 1); renderFreeItems(); } })));
  });
}

function addFreeItem() {
  const v = $("free-item").value.trim();
  if (!v || !fc.notice) return;
  if (fc.notice.free.indexOf(v) === -1) fc.notice.free.push(v);
  $("free-item").value = "";
  renderFreeItems();
}

/** The ticked and written items, as {key, name, send} (send is what the API takes). */
function chosenItems() {
  const out = [];
  document.querySelectorAll("#notice-materials input:checked").forEach(function (i) {
    const m = fc.notice.materials.find(function (x) { return x.id === i.value; });
    if (m) out.push({ key: m.id, name: m.name, send: m.id });
  });
  fc.notice.free.forEach(function (name) { out.push({ key: name, name: name, send: { name: name } }); });
  return out;
}

/** Reason fields for the items the citizen's earlier notice did not list (kept while typing). */
function showReasonFields(message) {
  const nt = fc.notice;
  const box = $("notice-reason-fields");
  const typed = {};
  box.querySelectorAll("input").forEach(function (i) { typed[i.dataset.key] = i.value; });
  box.textContent = "";
  const need = chosenItems().filter(function (it) { return !nt.prevKeys.has(it.key); });
  need.forEach(function (it) {
    box.appendChild(h("label", { class: "field reason-field" },
      h("span", { text: it.name }),
      h("input", { class: "input", maxlength: "300", value: typed[it.key] || "", placeholder: tr("notice_reason_ph"), dataset: { key: it.key } })));
  });
  $("notice-reasons-msg").textContent = tr("notice_reasons_needed") + (message ? " " + message : "");
  $("notice-reasons").hidden = false;
  const first = box.querySelector("input[value='']") || box.querySelector("input");
  if (first) first.focus();
}

async function openNotice() {
  const cur = state.win && state.win.current;
  if (!cur) return;
  const prev = cur.notice ? cur.notice.missing || [] : [];
  fc.notice = { ticket: cur, materials: [], free: [], prevKeys: new Set(prev.map(itemKey)) };
  fc.noticeJob = null;
  $("notice-number").textContent = cur.number;
  $("notice-service").textContent = localText(cur, "service_name");
  $("notice-edit").hidden = false;
  $("notice-done").hidden = true;
  $("notice-note").value = "";
  $("free-item").value = "";
  $("notice-reasons").hidden = true;
  $("notice-reason-fields").textContent = "";
  $("notice-materials").textContent = "";
  $("notice-guide-msg").hidden = true;
  noticeError("");
  renderFreeItems();
  $("notice-dialog").showModal();
  const nt = fc.notice;
  let msg = "";
  try {
    const res = await api("GET", paths.guide(hall, cur.service));
    const guide = res && res.guide ? res.guide : res;
    nt.materials = ((guide && guide.materials) || []).filter(function (m) { return m && m.id && m.name; });
    if (!nt.materials.length) msg = tr("no_guide");
  } catch (err) {
    msg = err.status === 404 ? tr("no_guide") : tr("guide_failed");
  }
  if (fc.notice !== nt) return;   // closed and opened again for another ticket meanwhile
  renderMaterials();
  $("notice-guide-msg").textContent = msg;
  $("notice-guide-msg").hidden = !msg;
}

function renderNoticePrint() {
  const el = $("notice-print");
  const job = fc.noticeJob;
  el.dataset.state = job ? job.status : "none";
  el.className = "nd-print " + (job ? job.status : "none");
  if (!job) el.textContent = tr("notice_print_none");
  else if (job.status === "failed") el.textContent = tr("notice_print_failed", { kind: job.error_kind || job.error || "" });
  else el.textContent = tr("notice_print_" + job.status);
}

$("btn-notice").addEventListener("click", openNotice);
$("free-add").addEventListener("click", addFreeItem);
$("free-item").addEventListener("keydown", function (ev) {
  if (ev.key === "Enter") { ev.preventDefault(); addFreeItem(); }
});

$("notice-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const nt = fc.notice;
  if (!nt || $("notice-edit").hidden) return;
  addFreeItem();   // typed but not added: the clerk meant it
  const items = chosenItems();
  const note = $("notice-note").value.trim();
  if (!items.length && !note) { noticeError(tr("notice_empty")); return; }
  noticeError("");
  const body = { missing: items.map(function (it) { return it.send; }) };
  if (note) body.note = note;
  if (!$("notice-reasons").hidden) {
    const reasons = {};
    $("notice-reason-fields").querySelectorAll("input").forEach(function (i) {
      if (i.value.trim()) reasons[i.dataset.key] = i.value.trim();
    });
    body.reasons = reasons;
  }
  $("notice-submit").disabled = true;
  try {
    const res = await api("POST", paths.ticketAction(nt.ticket.id, "notice"), body);
    fc.noticeJob = res.print || null;
    $("notice-code").textContent = res.code;
    $("notice-done").dataset.code = res.code;
    $("notice-print-link").href = res.print_url;
    $("notice-phone-link").href = res.url;
    renderNoticePrint();
    $("notice-edit").hidden = true;
    $("notice-done").hidden = false;
    say("ok", tr("notice_created", { code: res.code }));
  } catch (err) {
    if (err.code === "reason_required") showReasonFields(err.message);
    else noticeError(err.status === 409 || err.status === 400 ? err.message : errorText(err));
  } finally {
    $("notice-submit").disabled = false;
  }
});

function onPrintJob(job) {
  if (!job || !fc.noticeJob || job.id !== fc.noticeJob.id) return;
  fc.noticeJob = job;
  renderNoticePrint();
}

// ── 跟进事项: the matters I own until they are done ─────────
async function loadFollowUps() {
  try {
    const res = await api("GET", paths.myFollowUps());
    fc.follow = res.tickets || [];
  } catch (err) { return; }
  fc.followIds = new Set(fc.follow.map(function (t) { return t.id; }));
  renderFollowUps();
}
const refreshFollowUps = debounce(loadFollowUps, 300);

function whereText(t) {
  if ((t.status === "called" || t.status === "serving") && t.window) return tr("follow_where_window", { n: t.window.number });
  if (t.status === "waiting") return t.directed_window ? tr("follow_where_directed", { n: t.directed_window.number }) : tr("follow_where_queue");
  return "";
}

function renderFollowUps() {
  const body = $("follow-body");
  body.textContent = "";
  fc.follow.forEach(function (t) {
    const chain = t.transfers || [];
    const last = chain.length ? chain[chain.length - 1] : null;
    body.appendChild(h("tr", { dataset: { ticketId: t.id, ticketNumber: t.number, status: t.status } },
      h("td", {}, h("b", { class: "num", text: t.number }),
        t.notice ? h("span", { class: "tag notice", text: tr("tag_notice") }) : null),
      h("td", {}, localText(t, "service_name"), last ? h("div", { class: "sub muted", text: last.reason }) : null),
      h("td", { text: whereText(t) }),
      h("td", {}, h("span", { class: "pill " + t.status, text: statusLabel(t.status) }))));
  });
  $("follow-empty").hidden = fc.follow.length > 0;
  $("follow-count").textContent = fc.follow.length ? tr("follow_count", { n: fc.follow.length }) : "";
}

function followNote(text) {
  const box = $("follow-notes");
  const el = h("div", { class: "alert ok follow-note", role: "status" },
    h("span", { class: "num when", text: shortTime(new Date().toISOString(), state.timezone) }),
    h("span", { text: text }));
  el.appendChild(closeButton(el));
  box.insertBefore(el, box.firstChild);
  while (box.children.length > 5) box.lastChild.remove();
}

/** A ticket event about a matter I own: refresh the list; tell me when another window completes it. */
function onFollowEvent(env) {
  const t = env.data && env.data.ticket;
  if (!t || env.type.indexOf("ticket.") !== 0) return;
  const owned = !!t.owner && t.owner.username === me;
  if (!owned && !fc.followIds.has(t.id)) return;
  if (env.type === "ticket.done" && owned && !(t.window && t.window.id === state.windowId)) {
    const text = t.window
      ? tr("follow_done_notice", { number: t.number, n: t.window.number })
      : tr("follow_done_here", { number: t.number });
    followNote(text);
    say("info", text);
  }
  refreshFollowUps();
}

// ── AB岗: alarms of the windows I am B post for, handovers, my leave ──
const staff = { alarms: new Map() };   // window id → window.alarm data (b = me)

function renderAlarms() {
  const box = $("b-alarms");
  box.textContent = "";
  staff.alarms.forEach(function (a) {
    box.appendChild(h("div", { class: "alert error b-alarm", dataset: { windowId: a.window.id } },
      h("b", { text: tr(typeof a.waiting === "number" ? "b_alarm" : "b_alarm_some", { window: a.window.number, a: a.a ? a.a.name : "—", n: a.waiting }) }),
      h("span", { text: tr("b_alarm_how") })));
  });
  box.hidden = staff.alarms.size === 0;
}

async function loadAlarms() {
  try {
    const res = await api("GET", paths.alarms(hall));
    staff.alarms = new Map();
    (res.alarms || []).forEach(function (a) { if (a.b && a.b.username === me) staff.alarms.set(a.window.id, a); });
    renderAlarms();
  } catch (err) { /* the next alarm event shows it */ }
}

async function loadHandovers() {
  let list = [];
  try { list = (await api("GET", paths.myHandovers())).handovers || []; } catch (err) { return; }
  const ul = $("handover-list");
  ul.textContent = "";
  list.forEach(function (ho) {
    ul.appendChild(h("li", { class: ho.short_notice ? "short" : "", dataset: { leaveId: ho.id } },
      h("div", { class: "ho-head" },
        h("b", { text: tr("handover_window", { window: ho.window ? ho.window.number : "", name: ho.user.name }) }),
        h("span", { class: "num", text: tr("handover_days", { start: ho.start, end: ho.end }) }),
        h("span", { class: "muted", text: ho.reason }),
        ho.short_notice ? h("span", { class: "tag prio", text: tr("handover_short") }) : null),
      h("p", { class: "ho-note", text: ho.handover_note })));
  });
  $("handovers").hidden = list.length === 0;
  $("handover-count").textContent = list.length ? String(list.length) : "";
}
const refreshHandovers = debounce(loadHandovers, 300);

function onStaffEvent(env) {
  const d = env.data || {};
  if (env.type === "window.alarm" && d.window && d.b && d.b.username === me) {
    staff.alarms.set(d.window.id, d);
    renderAlarms();
  } else if (env.type === "window.alarm_cleared" && d.window && staff.alarms.delete(d.window.id)) {
    renderAlarms();
  } else if (env.type === "leave.registered" || env.type === "posts.updated") {
    refreshHandovers();
  }
}

function hallDay(offset) { return hallToday(state.timezone, offset); }

$("leave-card").addEventListener("toggle", function () {
  if (!$("leave-card").open || $("leave-start").value) return;
  $("leave-start").value = hallDay(1);
  $("leave-end").value = hallDay(1);
  $("leave-start").min = hallDay(0);
  $("leave-end").min = hallDay(0);
});
$("leave-start").addEventListener("change", function () {
  if (!$("leave-end").value || $("leave-end").value < $("leave-start").value) $("leave-end").value = $("leave-start").value;
});
$("leave-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const body = {
    start: $("leave-start").value, end: $("leave-end").value,
    reason: $("leave-reason").value.trim(), handover_note: $("leave-note").value.trim(),
  };
  if (body.end < body.start) { say("error", tr("leave_end_before")); return; }
  $("leave-submit").disabled = true;
  try {
    const lv = await api("POST", paths.leaves(), body);
    say(lv.short_notice ? "info" : "ok", tr(lv.short_notice ? "leave_saved_short" : "leave_saved", { start: lv.start, end: lv.end }));
    $("leave-reason").value = "";
    $("leave-note").value = "";
    $("leave-card").open = false;
  } catch (err) {
    say("error", err.status === 400 || err.status === 409 ? err.message : errorText(err));
  } finally {
    $("leave-submit").disabled = false;
  }
});

// "waited N min" grows while nobody acts: redraw now and then
setInterval(function () { if (state.win && !state.busy) render(); }, 30000);

// ── start ──────────────────────────────────────────────────
(async function start() {
  const current = function () { return state.win && state.win.current; };
  initCases({ current: current, afterComplete: function () { return loadWindow().then(focusNext); }, escalate: escalateCase });
  initEscalations({ current: current });
  initKeys({
    call: { button: $("btn-call") },
    recall: { button: $("btn-recall") },
    start: { button: $("btn-start") },
    complete: { button: $("btn-complete") },
    completeNext: { button: $("btn-complete-next") },
    noShow: { button: $("btn-no-show") },
    transfer: { button: $("btn-transfer") },
    undo: { run: undoNoShow, label: tr("undo_hint") },
  });
  try {
    await loadMe();
    await loadSnapshot();
    await loadWindow();
    await Promise.all([loadFollowUps(), loadHallServices(), loadHandovers(), loadAlarms()]);
    focusNext();
  } catch (err) {
    sayError(err);
  }
  live({
    hall: hall,
    onSnapshot: function (snap) { applySnapshot(snap); refresh(); refreshFollowUps(); refreshHandovers(); loadAlarms(); },
    onEvent: function (env) {
      onFollowEvent(env);
      onStaffEvent(env);
      onCaseEvent(env, me);
      onEscalationEvent(env, me);
      if (env.type === "print.updated" && env.data) onPrintJob(env.data.job);
      if (env.type === "window.updated" && env.data && env.data.window) {
        const w = env.data.window;
        const i = state.windows.findIndex(function (x) { return x.id === w.id; });
        if (i !== -1) state.windows[i] = w;
        if (!state.windowId) renderPicker();
      }
      // Any change in the hall may change this window's queue: re-read it (debounced).
      if (state.windowId) refresh();
    },
  });
})();
