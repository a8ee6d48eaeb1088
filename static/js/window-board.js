/* hallq — window board (窗口屏): one window, who is on duty, the current number, pauses. */
import { localName, localText, tr } from "./lib/i18n.js";
import { $, h, keepAwake, replay } from "./lib/dom.js";
import { tickingClock } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { deviceToken } from "./lib/device.js";
import { live } from "./lib/live.js";
import { WaitingCounts } from "./lib/waiting.js";

const root = document.getElementById("window-board");
const hall = root.dataset.hall;
const windowId = Number(root.dataset.window);
const token = deviceToken("board", hall);

const state = { win: null, services: [], waiting: new WaitingCounts(), timezone: undefined };

const clock = tickingClock(function (c) { $("clock-time").textContent = c.time.slice(0, 5); });

function serviceName(code) {
  const s = state.services.find(function (x) { return x.code === code; });
  return s ? localName(s) : code;
}

function render(flash) {
  const w = state.win;
  if (!w) {
    $("win-name").textContent = tr("window_not_found");
    return;
  }
  root.dataset.status = w.status;
  $("win-number").textContent = w.number;
  // "5号窗口" says nothing the big number does not: only a real name (e.g. 综合受理) is shown.
  const name = localName(w);
  const plain = !name || name === tr("window_n", { n: w.number }) || name === w.number + "号窗口";
  $("win-name").textContent = plain ? "" : name;
  const svc = $("win-services");
  svc.textContent = "";
  (w.services || []).forEach(function (code) {
    const s = state.services.find(function (x) { return x.code === code; });
    svc.appendChild(h("span", { class: "svc-chip" },
      h("b", { class: "num", text: s ? s.prefix || code : code }), " ", serviceName(code)));
  });

  if (w.clerk) {
    $("clerk-name").textContent = w.clerk.name || "";
    $("clerk-badge").textContent = w.clerk.badge ? tr("badge", { badge: w.clerk.badge }) : "";
    root.classList.remove("no-clerk");
  } else {
    $("clerk-name").textContent = tr("no_clerk");
    $("clerk-badge").textContent = "";
    root.classList.add("no-clerk");
  }
  const photo = $("clerk-photo");
  if (w.clerk && w.clerk.photo_url) {
    photo.textContent = "";
    photo.appendChild(h("img", { src: w.clerk.photo_url, alt: "" }));
  }

  const cur = w.current && ["called", "serving"].indexOf(w.current.status) !== -1 ? w.current : null;
  const curEl = $("win-current");
  curEl.textContent = cur ? cur.number : "—";
  curEl.dataset.ticketNumber = cur ? cur.number : "";
  if (flash && cur) {
    replay(curEl, "flash");
  }
  let status;
  if (!cur) status = tr("no_current");
  else if (cur.status === "serving") status = tr("serving_now");
  else status = tr("please_come", { number: cur.number });
  $("win-status").textContent = status;
  // the commitments while idle; the called number alone while someone is called
  $("win-promise").hidden = !!cur;
  $("win-status").className = "wb-status " + (cur ? cur.status : "idle");

  const n = state.waiting.sum(w.services);
  $("win-waiting").textContent = tr("waiting_n", { n: n });

  // A/B posts (AB岗制度), small: who answers for this window
  const posts = $("win-posts");
  posts.textContent = "";
  ["a", "b"].forEach(function (k) {
    const p = w.posts && w.posts[k];
    if (p) posts.appendChild(h("span", { class: "post", dataset: { post: k } }, h("i", { text: tr("post_" + k) }), " " + p.name));
  });

  const paused = w.status !== "open";
  // An empty window sends its citizens only to a window that serves now (domain/routing.py):
  // its B post's (顶岗), or another serving its services — or says that none serves now. A
  // window paused with its clerk at it shows the pause reason: the clerk is back soon.
  const redirect = w.status === "closed" && w.redirect ? w.redirect : null;
  const target = redirect && redirect.window ? redirect.window : null;
  const cover = redirect && redirect.kind === "cover" && w.cover ? w.cover : null;
  root.classList.toggle("covered", !!target);
  root.dataset.redirect = redirect ? redirect.kind : "";
  $("win-paused").hidden = !paused;
  $("paused-cover").hidden = !cover;
  if (target) {
    $("paused-reason").textContent = tr("cover_go", { n: target.number });
    $("paused-cover").textContent = cover && cover.clerk ? tr("cover_by", { name: cover.clerk.name }) +
      (cover.clerk.badge ? " · " + tr("badge", { badge: cover.clerk.badge }) : "") : "";
  } else if (redirect && redirect.kind === "none") {
    $("paused-reason").textContent = tr("none_serving");
  } else if (paused) {
    $("paused-reason").textContent = w.status === "paused"
      ? (w.pause_reason || tr("paused_reason_default"))
      : tr("closed_reason");
  }
}

/** Posts changed: who covers this window may change with them; the window's view says. */
async function refreshWindow() {
  try {
    const view = await api("GET", paths.window(windowId), null, { token: token });
    delete view.waiting;
    delete view.covering;
    state.win = Object.assign({}, state.win, view);
    render(false);
  } catch (e) { /* the next window.updated brings it */ }
}

/** The hall's public commitments (服务承诺), from the snapshot or a hall.updated event. */
function showHallCommitments(text) {
  const el = $("hall-commitments");
  el.textContent = text || "";
  el.hidden = !text;
}

function onSnapshot(snap) {
  if (snap.hall) {
    state.timezone = snap.hall.timezone;
    clock.setZone(snap.hall.timezone);
    if ("commitments" in snap.hall) showHallCommitments(localText(snap.hall, "commitments"));
  }
  state.services = snap.services || [];
  state.waiting.reset(snap);
  state.win = (snap.windows || []).find(function (w) { return w.id === windowId; }) || null;
  if (state.win && state.win.name) document.title = localName(state.win) + " · " + document.title.split(" · ").pop();
  render(false);
}

function onEvent(env) {
  const d = env.data || {};
  if (!state.win) return;
  if (state.waiting.apply(env)) render(false);
  const t = d.ticket;
  const mine = t && t.window && t.window.id === windowId;
  switch (env.type) {
    case "window.updated":
      if (d.window && d.window.id === windowId) {
        const before = (state.win.services || []).join(",");
        state.win = d.window;
        render(false);
        if ((d.window.services || []).join(",") !== before) refreshPromise();  // services moved here
      }
      break;
    case "ticket.called":
    case "ticket.recalled":
      if (mine) { state.win.current = t; render(true); $("win-transfer").hidden = true; }
      break;
    case "ticket.started":
    case "ticket.no_show_undone":   // the clerk took a 过号 back: the number is at the window again
      if (mine) { state.win.current = t; render(false); }
      break;
    case "ticket.done":
    case "ticket.no_show":
    case "ticket.cancelled":
    case "ticket.transferred":
      if (state.win.current && t && state.win.current.ref === t.ref) { state.win.current = null; render(false); }
      if (env.type === "ticket.transferred") onTransferred(d);
      break;
    case "hall.updated":
      if (d.hall && "commitments" in d.hall) showHallCommitments(localText(d.hall, "commitments"));
      break;
    case "service.updated":   // a guide's limits or fees, a service renamed: the promise changes
      refreshPromise();
      break;
    case "posts.updated":
      if (d.window && d.window.id === windowId) {
        state.win.posts = { a: d.a, b: d.b };
        render(false);
        if (token) refreshWindow();
      }
      break;
    default:
      break;
  }
}

// ── each service's commitment (limits, fees: from its guide) stays current without a reload:
// the page is fetched again and its list swapped in (the server renders it, as on first load) ──
let promiseBusy = false;
let promiseAgain = false;
async function refreshPromise() {
  if (promiseBusy) { promiseAgain = true; return; }
  promiseBusy = true;
  try {
    const res = await fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.querySelector("#win-promise .promise-services");
    const current = document.querySelector("#win-promise .promise-services");
    if (fresh && current && fresh.innerHTML !== current.innerHTML) current.innerHTML = fresh.innerHTML;
  } catch (e) { /* offline for a moment: the next change tries again */ }
  finally {
    promiseBusy = false;
    if (promiseAgain) { promiseAgain = false; refreshPromise(); }
  }
}
window.hallq = Object.assign(window.hallq || {}, { refreshPromise: refreshPromise });

// ── a citizen transferred to this very window (转办): say so for a while ──
let transferTimer = null;
function onTransferred(d) {
  const to = d.to && d.to.window;
  if (!to || to.id !== windowId || !d.ticket) return;
  const el = $("win-transfer");
  el.textContent = tr("transferred_here", { number: d.ticket.number });
  el.hidden = false;
  if (transferTimer) clearTimeout(transferTimer);
  transferTimer = setTimeout(function () { el.hidden = true; }, 30000);
}

live({ hall: hall, window: windowId, token: token, onSnapshot: onSnapshot, onEvent: onEvent });
keepAwake();
