/* hallq — the rating pad (评价器) of one window. Idle: the clerk on duty and the commitments.
 * When the clerk completes a ticket at this window (ticket.done in the pad's device room), it
 * asks at once; the two low levels ask for reasons. If nobody answers before the timeout it goes
 * back to idle and sends NOTHING: the pad never rates on its own. */
import { tr } from "./lib/i18n.js";
import { $, keepAwake } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { deviceToken } from "./lib/device.js";
import { live } from "./lib/live.js";

const root = document.getElementById("pad");
const hall = root.dataset.hall;
const windowId = Number(root.dataset.window);
const timeoutS = Number(root.dataset.timeout) || 60;
const token = deviceToken("pad", hall);

const state = { win: null, pending: null, level: null, reasons: [], deadline: 0, timer: null, busy: false };

function show(mode) {
  root.dataset.mode = mode;
  $("pad-idle").hidden = mode !== "idle";
  $("pad-ask").hidden = mode !== "ask";
  $("pad-reasons").hidden = mode !== "reasons";
  $("pad-thanks").hidden = mode !== "thanks";
}

// ── idle: who is on duty (挂牌上岗) ──
function renderClerk() {
  const w = state.win;
  const c = w && w.clerk;
  $("pad-clerk-name").textContent = c ? c.name || "" : tr("no_clerk");
  $("pad-clerk-badge").textContent = c && c.badge ? tr("badge", { badge: c.badge }) : "";
  let post = "";
  if (c && w.posts) {
    ["a", "b"].forEach(function (k) {
      const p = w.posts[k];
      if (!post && p && p.name === c.name && (p.badge || "") === (c.badge || "")) post = tr("post_" + k);
    });
  }
  $("pad-clerk-post").textContent = post;
  const photo = $("pad-photo");
  const img = photo.querySelector("img");
  if (c && c.photo_url) {
    if (!img || img.getAttribute("src") !== c.photo_url) {
      photo.textContent = "";
      const el = document.createElement("img");
      el.src = c.photo_url;
      el.alt = "";
      photo.appendChild(el);
    }
  } else if (img) {
    img.remove();
  }
}

/** The window's own view (with the clerk's photo when the hall has one). */
async function refreshWindow() {
  if (!token) return;
  try {
    const view = await api("GET", paths.window(windowId), null, { token: token });
    state.win = Object.assign({}, state.win, { clerk: view.clerk, posts: view.posts });
    renderClerk();
  } catch (e) { /* the next window.updated brings it */ }
}

function showCommitments(text) {
  const el = $("pad-commitments");
  el.textContent = text || "";
  el.hidden = !text;
}

// ── asking ──
function stopTimer() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

function tick() {
  const left = Math.max(0, Math.ceil((state.deadline - Date.now()) / 1000));
  const text = tr("seconds_left", { n: left });
  $("pad-countdown").textContent = text;
  $("pad-countdown2").textContent = text;
  if (left <= 0) idle();  // nobody answered: nothing is stored, the phone may still rate
}

function startTimer() {
  stopTimer();
  state.deadline = Date.now() + timeoutS * 1000;
  tick();
  state.timer = setInterval(tick, 1000);
}

function idle() {
  stopTimer();
  state.pending = null;
  state.level = null;
  state.reasons = [];
  show("idle");
}

function ask(ticket) {
  state.pending = ticket;
  state.level = null;
  state.reasons = [];
  $("pad-ticket").textContent = tr("ask_ticket", { number: ticket.number });
  show("ask");
  startTimer();
}

function thanks(text) {
  stopTimer();
  state.pending = null;
  $("pad-thanks-text").textContent = text;
  show("thanks");
  setTimeout(function () { if (root.dataset.mode === "thanks") idle(); }, 4000);
}

async function send(body) {
  if (!state.pending || state.busy) return;
  state.busy = true;
  try {
    await api("POST", paths.rating(state.pending.ref), body, { token: token });
    thanks(body.level <= 2 ? tr("thanks_low") : tr("thanks"));
  } catch (e) {
    if (e.status === 409) thanks(tr("already"));
    else if (root.dataset.mode === "reasons") { $("pad-error").textContent = e.message; $("pad-error").hidden = false; }
    else thanks(e.message);
  } finally {
    state.busy = false;
  }
}

$("pad-levels").addEventListener("click", function (ev) {
  const btn = ev.target.closest("[data-level]");
  if (!btn || !state.pending) return;
  const level = Number(btn.dataset.level);
  if (level <= 2) {
    state.level = level;
    state.reasons = [];
    document.querySelectorAll("#pad-reason-list [data-reason]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    $("pad-comment").value = "";
    $("pad-error").hidden = true;
    show("reasons");
    startTimer();
  } else {
    send({ level: level });
  }
});

$("pad-reason-list").addEventListener("click", function (ev) {
  const btn = ev.target.closest("[data-reason]");
  if (!btn) return;
  const key = btn.dataset.reason;
  const on = btn.getAttribute("aria-pressed") !== "true";
  btn.setAttribute("aria-pressed", on ? "true" : "false");
  state.reasons = state.reasons.filter(function (r) { return r !== key; });
  if (on) state.reasons.push(key);
  startTimer();  // the citizen is answering: give them the time again
});

$("pad-comment").addEventListener("input", function () { startTimer(); });

$("pad-submit").addEventListener("click", function () {
  const comment = $("pad-comment").value.trim();
  const err = $("pad-error");
  if (!state.reasons.length) { err.textContent = tr("need_reason"); err.hidden = false; return; }
  if (state.reasons.length === 1 && state.reasons[0] === "other" && !comment) {
    err.textContent = tr("need_other"); err.hidden = false; return;
  }
  const body = { level: state.level, reasons: state.reasons.slice() };
  if (comment) body.comment = comment;
  send(body);
});

// ── live ──
function onSnapshot(snap) {
  if (snap.hall && "commitments" in snap.hall) showCommitments(snap.hall.commitments);
  state.win = (snap.windows || []).find(function (w) { return w.id === windowId; }) || null;
  renderClerk();
  refreshWindow();
}

function onEvent(env) {
  const d = env.data || {};
  switch (env.type) {
    case "ticket.done":
      if (d.ticket && d.ticket.window && d.ticket.window.id === windowId) ask(d.ticket);
      break;
    case "window.updated":
      if (d.window && d.window.id === windowId) {
        state.win = Object.assign({}, state.win, d.window);
        renderClerk();
        refreshWindow();
      }
      break;
    case "posts.updated":
      if (d.window && d.window.id === windowId) {
        state.win = Object.assign({}, state.win, { posts: { a: d.a, b: d.b } });
        renderClerk();
      }
      break;
    case "hall.updated":
      if (d.hall && "commitments" in d.hall) showCommitments(d.hall.commitments);
      break;
    default:
      break;
  }
}

show("idle");
live({ hall: hall, window: windowId, token: token, onSnapshot: onSnapshot, onEvent: onEvent });
keepAwake();
window.hallq = Object.assign(window.hallq || {}, { pad: { timeoutS: timeoutS } });
