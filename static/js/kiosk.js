/* hallq — touch kiosk (取号机): category → service → ticket on screen with its QR code. */
import { localName, localText, tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { tickingClock, waitMinutes } from "./lib/time.js";
import { api, errorText, paths } from "./lib/api.js";
import { deviceToken } from "./lib/device.js";
import { live } from "./lib/live.js";
import { waitingOf } from "./lib/waiting.js";
import { pages } from "./lib/links.js";
import { fitScreen, idleGuard, largeText } from "./lib/kiosk-idle.js";

const root = document.getElementById("kiosk");
const hall = root.dataset.hall;
const english = root.dataset.lang === "en";
const token = deviceToken("kiosk", hall);
// 适老化: no time pressure. A screen returns to the start only after this long without a touch
// (any touch restarts it), and only after a warning (lib/kiosk-idle.js).
const IDLE_S = 60;
// The ticket screen stays at least a minute (and has "再看一会儿").
const AUTO_RETURN_S = 60;
// A citizen whose slip did not print needs time to photograph the QR code (or to fetch staff).
const AUTO_RETURN_FAULT_S = 90;
// No print.updated for a pending slip after this long: ask the server once.
const PRINT_FALLBACK_MS = 8000;
const PRINTER_KEY = "hallq:printer:" + hall;

// ── steps ──────────────────────────────────────────────────
// Every screen of the kiosk is a step: its section, the heading that takes the focus when it
// opens, its place in the step bar, and how long it waits for a touch before the start screen
// (null: it is the start screen). A new step (a warning before issuing, …) registers here and
// opens with show(name).
const steps = {};
const screens = {};
function step(name, opts) {
  steps[name] = Object.assign({ idle: IDLE_S, bar: null }, opts);
  screens[name] = opts.el;
}
step("categories", { el: $("screen-categories"), heading: "cat-title", bar: "categories", idle: null });
step("services", { el: $("screen-services"), heading: "svc-title", bar: "services" });
step("ticket", { el: $("screen-ticket"), heading: "ticket-title", bar: "ticket", idle: AUTO_RETURN_S });
step("notice", { el: $("screen-notice"), heading: "notice-title" });
step("booking", { el: $("screen-booking"), heading: "booking-title" });

let info = null;               // GET /api/v1/halls/<hall>
let currentCategory = null;
let busy = false;

// ── clock ──────────────────────────────────────────────────
const clock = tickingClock(function (c) {
  $("clock-time").textContent = c.time.slice(0, 5);
  $("clock-date").textContent = c.date;
});

// ── screens ────────────────────────────────────────────────
/** Polite, once: what changed (never a countdown). */
function announce(text) {
  const el = $("kiosk-status");
  el.textContent = "";
  // a new node each time, so the same sentence twice is still said
  window.setTimeout(function () { el.textContent = text; }, 50);
}

/** The screen fits the kiosk without scrolling (denser when it must). */
function fit() { fitScreen(root); }
window.addEventListener("resize", debounce(fit, 150));

/** Opens a step: shows its section, marks the step bar, (re)starts its idle time and moves the
 *  focus to its heading (opts.focus === false keeps it, e.g. for a tile a link marks). */
function show(name, opts) {
  const st = steps[name];
  Object.keys(screens).forEach(function (k) { screens[k].hidden = k !== name; });
  root.dataset.screen = name;
  const order = ["categories", "services", "ticket"];
  // a one-category hall's start screen is its services (step 2; there is no step 1)
  const bar = name === "categories" && singleCategory() ? "services" : st.bar;
  document.querySelectorAll("#steps li").forEach(function (li) {
    const i = order.indexOf(li.dataset.step), cur = order.indexOf(bar);
    li.className = bar === null ? "" : i < cur ? "done" : i === cur ? "current" : "";
  });
  window.scrollTo(0, 0);
  armIdle(st.idle);
  fit();
  if (!opts || opts.focus !== false) {
    const heading = $(st.heading);
    if (heading) heading.focus({ preventScroll: true });
  }
}

function serviceName(svc) {
  return localName(svc);
}

function servicesOf(category) {
  return (info && info.services ? info.services : []).filter(function (s) { return s.category === category; });
}

/** Citizens waiting for any of these services (their counts as the kiosk keeps them). */
function waitingIn(services) {
  return services.reduce(function (a, s) { return a + (s.waiting || 0); }, 0);
}

function categoryName(c) {
  if (typeof c !== "string") return english && c.name_en ? c.name_en : c.name || c.code;
  // a category is its Chinese name; its English comes with its services (category_en)
  const svc = english ? servicesOf(c).find(function (s) { return s.category_en; }) : null;
  return svc ? svc.category_en : c;
}
function categoryKey(c) {
  return typeof c === "string" ? c : c.code || c.name;
}

function waitText(svc) {
  if (svc.served === false) return tr("unserved_short");   // no window serves it now (routing)
  const m = waitMinutes(svc.estimated_wait_s);
  if (!svc.waiting) return tr("wait_none");
  return m === null ? "" : tr("wait_min", { n: m });
}

/** A hall with one category has no choice to make: its start screen lists that category's
 *  services, under the notice and guide entries (nothing is skipped, so "返回" has a home). */
function singleCategory() {
  return !!(info && info.categories && info.categories.length === 1);
}

function renderCategories() {
  const box = $("category-tiles");
  box.textContent = "";
  const cats = info.categories && info.categories.length ? info.categories : [];
  root.dataset.single = cats.length === 1 ? "1" : "";
  document.querySelectorAll('#steps li[data-step="categories"]').forEach(function (li) { li.hidden = cats.length === 1; });
  if (!cats.length) {
    box.appendChild(h("p", { class: "loading", text: tr("no_services") }));
    return;
  }
  if (cats.length === 1) {
    $("cat-title").textContent = tr("choose_service");
    box.classList.add("services");
    servicesOf(categoryKey(cats[0])).forEach(function (svc) { box.appendChild(serviceTile(svc)); });
    return;
  }
  $("cat-title").textContent = tr("choose_category");
  box.classList.remove("services");
  cats.forEach(function (c, i) {
    const key = categoryKey(c);
    const svcs = servicesOf(key);
    const waiting = waitingIn(svcs);
    box.appendChild(h("button", {
      type: "button", class: "tile category c" + (i % 6), dataset: { category: key },
      onclick: function () { openCategory(key); },
    },
      h("span", { class: "tile-name", text: categoryName(c) }),
      h("span", { class: "tile-list", text: svcs.map(serviceName).join(english ? " · " : "、") }),
      h("span", { class: "tile-meta" },
        h("span", { text: tr("n_services", { n: svcs.length }) }),
        h("span", { class: "dot", text: "·" }),
        h("span", { "data-role": "cat-waiting", text: tr("waiting_n", { n: waiting }) }))
    ));
  });
}

/** The service's promise in one short line (its commitment without the fees). */
function promiseText(svc) {
  const lines = english && svc.commitment_en ? svc.commitment_en : svc.commitment || [];
  return lines.filter(function (l) { return l.indexOf("收费") !== 0 && l.indexOf("Fees") !== 0; }).join(" · ");
}

function renderServices() {
  const box = $("service-tiles");
  box.textContent = "";
  const svcs = servicesOf(currentCategory);
  const cat = (info.categories || []).find(function (c) { return categoryKey(c) === currentCategory; });
  $("svc-title").textContent = cat ? categoryName(cat) : currentCategory;
  svcs.forEach(function (svc) { box.appendChild(serviceTile(svc)); });
}

function serviceTile(svc) {
  return h("button", {
      type: "button", class: "tile service", dataset: { service: svc.code },
      onclick: function () { takeTicket(svc); },
    },
      h("span", { class: "letter num", text: svc.prefix || svc.code }),
      h("span", { class: "svc-body" },
        h("span", { class: "tile-name", text: serviceName(svc) }),
        !english && svc.name_en ? h("span", { class: "tile-en", text: svc.name_en }) : null,
        h("span", { class: "tile-meta" },
          h("span", { class: "waiting", "data-role": "waiting", text: tr("waiting_n", { n: svc.waiting || 0 }) }),
          h("span", { class: "dot", text: "·" }),
          h("span", { class: "eta", "data-role": "eta", text: waitText(svc) })),
        // 服务承诺 from the guide: 承诺时限 or 即办件 (the guide page tells the rest)
        promiseText(svc) ? h("span", { class: "tile-promise", text: promiseText(svc) }) : null)
  );
}

/** Updates the counts on screen in place (no re-render: a tap in progress is not lost). */
function refreshCounts() {
  if (!info) return;
  document.querySelectorAll("#service-tiles .tile, #category-tiles .tile.service").forEach(function (tile) {
    const svc = info.services.find(function (s) { return s.code === tile.dataset.service; });
    if (!svc) return;
    tile.querySelector('[data-role="waiting"]').textContent = tr("waiting_n", { n: svc.waiting || 0 });
    tile.querySelector('[data-role="eta"]').textContent = waitText(svc);
  });
  document.querySelectorAll("#category-tiles .tile.category").forEach(function (tile) {
    const n = waitingIn(servicesOf(tile.dataset.category));
    tile.querySelector('[data-role="cat-waiting"]').textContent = tr("waiting_n", { n: n });
  });
}

function openCategory(key, opts) {
  currentCategory = key;
  renderServices();
  show("services", opts);
}

/** Back to the start screen within one citizen's visit ("返回"): their large text stays. */
function goHome() {
  clearSlip();
  currentCategory = null;
  hideError();
  show("categories");
}

/** The citizen is done (完成, or nobody touched the kiosk): the next one gets a clean start. */
function endSession() {
  if (large.on) large.set(false);
  goHome();
  announce(tr("back_home"));
}

// A citizen who walks away mid-choice leaves the next one a clean start screen — after a warning.
const idle = idleGuard({
  onTimeout: endSession,
  onTick: function (left) {
    if (root.dataset.screen === "ticket") $("countdown").textContent = tr("auto_return_touch", { n: left });
  },
});
/** (Re)starts the current screen's idle time; the start screen waits for ever unless it has a
 *  citizen's setting to reset (large text). */
function armIdle(seconds) {
  const s = seconds === undefined ? steps[root.dataset.screen || "categories"].idle : seconds;
  if (s) idle.arm(s);
  else if (large && large.on) idle.arm(IDLE_S);
  else idle.disarm();
}

// 大字模式: for this citizen until their visit ends
const large = largeText(root, function (on) {
  announce(tr(on ? "large_on" : "large_off"));
  if (root.dataset.screen) armIdle();
  fit();
});

// ── a service no window serves now: say so before issuing (domain/routing.py) ──
let unservedFor = null;
function warnUnserved(svc) {
  unservedFor = svc;
  $("unserved-title").textContent = tr("unserved_title", { name: serviceName(svc) });
  const lines = [];
  if (info.opens_at) {
    // the opening is in the hall's local time: its ISO string carries the hall's offset
    lines.push(tr("unserved_opens", { date: info.opens_at.slice(5, 10), time: info.opens_at.slice(11, 16) }));
  }
  lines.push(info.queue_when_unserved === false ? tr("unserved_refused") : tr("unserved_later"));
  $("unserved-text").textContent = lines.join(" ");
  $("unserved-booking").hidden = !svc.bookable;
  $("unserved-booking").textContent = svc.bookable
    ? tr("unserved_booking", { url: location.origin + "/b/" + encodeURIComponent(hall) }) : "";
  $("btn-unserved-take").hidden = info.queue_when_unserved === false;
  $("overlay-unserved").hidden = false;
  ($("btn-unserved-take").hidden ? $("btn-unserved-back") : $("btn-unserved-take")).focus();
  armIdle();
}
function hideUnserved() { $("overlay-unserved").hidden = true; unservedFor = null; }
$("btn-unserved-back").addEventListener("click", hideUnserved);
$("btn-unserved-take").addEventListener("click", function () {
  const svc = unservedFor;
  hideUnserved();
  if (svc) issueTicket(svc);
});

// ── issuing ────────────────────────────────────────────────
function takeTicket(svc) {
  if (svc.served === false) { warnUnserved(svc); return; }
  issueTicket(svc);
}

async function issueTicket(svc) {
  if (busy) return;
  if (!token) { showError(tr("no_token")); return; }
  busy = true;
  $("overlay-busy").hidden = false;
  try {
    const t = await api("POST", paths.tickets(), { service: svc.code, hall: hall }, { token: token });
    showTicket(t, svc);
    loadInfo();
  } catch (err) {
    showError(errorText(err));
  } finally {
    busy = false;
    $("overlay-busy").hidden = true;
  }
}

function showTicket(t, svc) {
  hideError();
  $("ticket-number").textContent = t.number;
  $("ticket-service").textContent = svc ? serviceName(svc) : localText(t, "service_name");
  $("ticket-ahead").textContent = t.position === null || t.position === undefined ? "0" : t.position;
  const m = waitMinutes(t.estimated_wait_s);
  $("ticket-wait").textContent = m === null ? "—" : m;
  $("ticket-qr").src = pages.ticketQr(t.id);
  $("ticket-fastlane").hidden = !t.notice;   // back with a one-time notice: the fast lane
  $("ticket-booking").hidden = !t.booking;   // checked in with an appointment (or late: a walk-in)
  $("ticket-booking").textContent = t.booking ? tr("booking_" + t.booking.status) : "";
  screens.ticket.dataset.ticketId = t.id;
  startSlip(t);
  show("ticket");
  startCountdown(slip.job && slip.job.status === "failed" ? AUTO_RETURN_FAULT_S : AUTO_RETURN_S);
}

/** The ticket screen's idle time (longer while the citizen must photograph the QR code). */
function startCountdown(seconds) {
  if (root.dataset.screen !== "ticket") return;
  steps.ticket.idle = seconds;
  idle.arm(seconds);
}

// ── the paper slip ─────────────────────────────────────────
// The ticket is valid the moment it is on screen; the slip is a copy that may fail. Its state
// comes from print.updated events (and one re-fetch if none came), never blocks the kiosk.
const slip = {
  ticketId: null,      // the ticket on screen
  ticketRef: null,     // its public ref (how print events name it)
  job: null,           // its latest print job, or null: this kiosk has no printer
  reprintsLeft: 0,     // kiosk reprints still allowed for it
  reprinting: false,   // a reprint request is in flight
  fallback: null,      // timer of the one re-fetch
};
// print.updated events by ticket id: the worker can finish (or fail) a slip before the
// kiosk has the HTTP answer that names the ticket.
const seenJobs = {};
let myPrinter = null;   // the printer that prints this kiosk's tickets (learnt from them)
try { myPrinter = Number(window.localStorage.getItem(PRINTER_KEY)) || null; } catch (e) { myPrinter = null; }

function jobTime(job) {
  const ms = job && job.created_at ? Date.parse(job.created_at) : NaN;
  return isNaN(ms) ? 0 : ms;
}

// A job only moves forward: an HTTP answer made when it was queued can arrive after the
// event that says it printed, and must not undo it.
const PROGRESS = { queued: 0, sent: 1, printed: 2, failed: 2 };
function progress(job) { return PROGRESS[job.status] || 0; }

/** Is `job` this ticket's current slip (in the same or a later state), or a newer one (a reprint)? */
function isCurrentOrNewer(job) {
  if (!slip.job) return true;
  if (job.id && job.id === slip.job.id) return progress(job) >= progress(slip.job);
  return jobTime(job) > jobTime(slip.job);
}

function reprintsLeftOf(t) {
  const p = t.print || {};
  if (typeof p.kiosk_reprints_left === "number") return p.kiosk_reprints_left;
  if (typeof t.kiosk_reprints_left === "number") return t.kiosk_reprints_left;
  return null;
}

function startSlip(t) {
  clearSlipTimer();
  slip.ticketId = t.id;
  slip.ticketRef = t.ref;   // the hall's stream names the ticket by its public ref
  slip.job = t.print || null;
  slip.reprinting = false;
  const left = reprintsLeftOf(t);
  // A ticket just issued has not been reprinted: the kiosk may reprint it once.
  slip.reprintsLeft = left === null ? 1 : left;
  $("ps-reprint-error").hidden = true;
  if (slip.job && slip.job.printer) rememberPrinter(slip.job.printer);
  const early = seenJobs[t.ref];
  if (slip.job && early && isCurrentOrNewer(early)) slip.job = early;
  renderSlip();
  armFallback();
}

function clearSlip() {
  clearSlipTimer();
  slip.ticketId = null;
  slip.ticketRef = null;
  slip.job = null;
  slip.reprinting = false;
  renderSlip();
}

function clearSlipTimer() {
  if (slip.fallback) { clearTimeout(slip.fallback); slip.fallback = null; }
}

function pending(job) {
  return !!job && (job.status === "queued" || job.status === "sent");
}

/** One re-fetch of the ticket when its pending slip got no event in time. */
function armFallback() {
  clearSlipTimer();
  if (!pending(slip.job)) return;
  const ticketId = slip.ticketId, jobId = slip.job.id;
  slip.fallback = setTimeout(async function () {
    slip.fallback = null;
    if (slip.ticketId !== ticketId || !slip.job || slip.job.id !== jobId || !pending(slip.job)) return;
    try {
      const t = await api("GET", paths.ticket(ticketId), null, { token: token });
      if (slip.ticketId !== ticketId || !t.print) return;
      const left = reprintsLeftOf(t);
      if (left !== null) slip.reprintsLeft = left;
      applyJob(t.print);
    } catch (err) { /* the next event will tell */ }
  }, PRINT_FALLBACK_MS);
}

function applyJob(job) {
  if (!slip.ticketId || !job || !isCurrentOrNewer(job)) return;
  const before = slip.job ? slip.job.status : null;
  const replaced = !slip.job || slip.job.id !== job.id;
  slip.job = job;
  renderSlip();
  if (replaced) armFallback();
  else if (!pending(job)) clearSlipTimer();
  // Failed: keep the ticket (and its QR) on screen long enough to photograph it.
  // Printed after a fault: back to the usual time, to take the slip.
  if (job.status === "failed" && before !== "failed") startCountdown(AUTO_RETURN_FAULT_S);
  else if (job.status === "printed" && before !== "printed" && job.reprint) startCountdown(AUTO_RETURN_S);
}

function renderSlip() {
  renderSlipState();
  if (root.dataset.screen === "ticket") fit();
}

function renderSlipState() {
  const box = $("print-state");
  const job = slip.job;
  screens.ticket.classList.toggle("print-failed", !!job && job.status === "failed");
  if (!slip.ticketId || !job) {
    box.hidden = true;
    box.dataset.state = "";
    $("btn-done").textContent = tr("done");
    return;
  }
  box.hidden = false;
  box.dataset.state = job.status;
  box.dataset.jobId = job.id || "";
  const failed = job.status === "failed";
  $("ps-line").hidden = failed;
  $("ps-fault").hidden = !failed;
  $("btn-done").textContent = tr(failed ? "done_photo" : "done");
  if (failed) {
    $("ps-kind").textContent = tr("fault_" + (job.error_kind || "error"));
    const canReprint = slip.reprintsLeft > 0;
    $("btn-reprint").hidden = !canReprint;
    $("btn-reprint").disabled = slip.reprinting;
  } else if (job.status === "printed") {
    $("ps-ico").textContent = "✓";
    $("ps-text").textContent = tr("printed");
  } else {
    $("ps-ico").textContent = "";
    $("ps-text").textContent = tr(job.reprint ? "reprinting" : "printing");
  }
}

async function reprint() {
  if (!slip.ticketId || slip.reprinting) return;
  const ticketId = slip.ticketId;
  slip.reprinting = true;
  $("ps-reprint-error").hidden = true;
  renderSlip();
  try {
    const job = await api("POST", paths.ticketAction(ticketId, "reprint"), {}, { token: token });
    if (slip.ticketId !== ticketId) return;
    slip.reprintsLeft = Math.max(0, slip.reprintsLeft - 1);
    slip.reprinting = false;
    applyJob(job);
    // still printing: the citizen may need the time if this one fails too
    if (pending(slip.job)) startCountdown(AUTO_RETURN_FAULT_S);
  } catch (err) {
    if (slip.ticketId !== ticketId) return;
    slip.reprinting = false;
    // The server's own sentence says why (once only, still printing, …).
    if (err.code === "reprint_limit") slip.reprintsLeft = 0;
    $("ps-reprint-error").textContent = err.status === 409 ? err.message : errorText(err);
    $("ps-reprint-error").hidden = false;
    renderSlip();
  }
}

function onPrintUpdated(job) {
  if (!job || !job.ref) return;
  const prev = seenJobs[job.ref];
  if (!prev || (prev.id === job.id ? progress(job) >= progress(prev) : jobTime(job) > jobTime(prev))) {
    seenJobs[job.ref] = job;
  }
  const keys = Object.keys(seenJobs);
  if (keys.length > 50) delete seenJobs[keys[0]];
  if (job.ref === slip.ticketRef) applyJob(job);
}

// ── this kiosk's printer ───────────────────────────────────
function rememberPrinter(id) {
  if (myPrinter === id) return;
  myPrinter = id;
  try { window.localStorage.setItem(PRINTER_KEY, String(id)); } catch (e) { /* ignore */ }
  loadPrinters();
}

function showPrinterFault(fault) {
  $("printer-banner").hidden = !fault;
  root.dataset.printerFault = fault ? "yes" : "no";
}

function applyPrinter(p) {
  if (p && myPrinter !== null && p.id === myPrinter) showPrinterFault(!!p.fault);
}

async function loadPrinters() {
  if (!token) return;
  try {
    // The server lists a kiosk token only its own printer: a kiosk knows its printer (and a
    // fault it already has) when the page opens, before anyone takes a number.
    const res = await api("GET", paths.printers(), null, { token: token });
    const list = res.printers || [];
    let mine = list.find(function (p) { return p.id === myPrinter; }) || null;
    if (!mine && list.length === 1) mine = list[0];
    // The printer was removed or re-assigned: forget it until the next ticket names one.
    if (!mine) { myPrinter = null; showPrinterFault(false); return; }
    if (myPrinter !== mine.id) {
      myPrinter = mine.id;
      try { window.localStorage.setItem(PRINTER_KEY, String(mine.id)); } catch (e) { /* ignore */ }
    }
    applyPrinter(mine);
  } catch (err) { /* keep the last known state */ }
}

let errorFocus = null;
function showError(text) {
  $("error-text").textContent = text;
  if ($("overlay-error").hidden) errorFocus = document.activeElement;
  $("overlay-error").hidden = false;
  $("btn-error-ok").focus();
}
function hideError() {
  if ($("overlay-error").hidden) return;
  $("overlay-error").hidden = true;
  if (errorFocus && document.contains(errorFocus) && typeof errorFocus.focus === "function") errorFocus.focus();
  errorFocus = null;
}

// A long press on a touch screen must not open a context menu or select text.
document.addEventListener("contextmenu", function (ev) { ev.preventDefault(); });

$("btn-back").addEventListener("click", goHome);
$("btn-done").addEventListener("click", endSession);
$("btn-more-time").addEventListener("click", function () { idle.poke(); });
$("btn-error-ok").addEventListener("click", hideError);
$("btn-reprint").addEventListener("click", reprint);

// ── notice return (一次告知单返回) ──────────────────────────
// A citizen back with their one-time notice enters its code on the keypad, or scans its QR:
// a USB scanner types the notice's URL (…/n/<token>, or …/n/<code> on notices printed before
// page tokens) like a keyboard, ending with Enter. The
// ticket is a priority ticket for the notice's service, shown on the usual ticket screen.
const NOTICE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const NOTICE_LENGTH = 6;
let noticeCode = "";

/** The notice code in a typed code or a scanned/pasted URL; null when there is none. A QR's URL
 *  carries the notice's page token (/n/<token>, 16+ characters): sent as it is. */
function noticeCodeFrom(text) {
  const s = String(text || "").trim();
  const page = s.match(/\/n\/([0-9A-Za-z_-]{16,24})(?:[/?#]|$)/);
  if (page) return page[1];
  const m = s.match(/\/n\/([0-9A-Za-z-]+)/);
  const code = (m ? m[1] : s).toUpperCase().replace(/[\s-]/g, "");
  const ok = code.length === NOTICE_LENGTH && code.split("").every(function (c) { return NOTICE_ALPHABET.indexOf(c) !== -1; });
  return ok ? code : null;
}

function renderNoticeCode() {
  const boxes = $("notice-code").children;
  for (let i = 0; i < boxes.length; i++) {
    boxes[i].textContent = noticeCode[i] || "";
    boxes[i].className = i === noticeCode.length ? "next" : noticeCode[i] ? "filled" : "";
  }
  $("notice-code").dataset.code = noticeCode;
  $("notice-submit").disabled = noticeCode.length !== NOTICE_LENGTH;
}

function noticeError(text) {
  $("notice-error").textContent = text || "";
  $("notice-error").hidden = !text;
  fit();
}

function typeNotice(ch) {
  if (noticeCode.length >= NOTICE_LENGTH || NOTICE_ALPHABET.indexOf(ch) === -1) return;
  noticeCode += ch;
  noticeError("");
  renderNoticeCode();
  armIdle();
}

function openNotice() {
  noticeCode = "";
  noticeError("");
  renderNoticeCode();
  show("notice");
}

async function takeNoticeTicket(code) {
  if (busy) return;
  if (!token) { showError(tr("no_token")); return; }
  if (!code) { noticeError(tr("notice_need_six")); return; }
  busy = true;
  $("overlay-busy").hidden = false;
  try {
    const t = await api("POST", paths.tickets(), { notice: code, hall: hall }, { token: token });
    showTicket(t, null);
    loadInfo();
  } catch (err) {
    // A wrong code is the citizen's to fix here, not an overlay to dismiss.
    if (screens.notice.hidden) openNotice();
    noticeCode = code.length === NOTICE_LENGTH ? code : "";   // a scanned page token is not shown
    renderNoticeCode();
    noticeError(err.code === "notice_not_found" ? tr("notice_not_found") : errorText(err));
  } finally {
    busy = false;
    $("overlay-busy").hidden = true;
  }
}

(function buildKeypad() {
  const pad = $("notice-keypad");
  NOTICE_ALPHABET.split("").forEach(function (ch) {
    pad.appendChild(h("button", { type: "button", class: "key num", dataset: { key: ch }, text: ch,
      onclick: function () { typeNotice(ch); } }));
  });
})();

$("btn-notice-entry").addEventListener("click", openNotice);
$("btn-notice-back").addEventListener("click", goHome);
$("notice-del").addEventListener("click", function () { noticeCode = noticeCode.slice(0, -1); noticeError(""); renderNoticeCode(); armIdle(); });
$("notice-clear").addEventListener("click", function () { noticeCode = ""; noticeError(""); renderNoticeCode(); armIdle(); });
$("notice-submit").addEventListener("click", function () { takeNoticeTicket(noticeCodeFrom(noticeCode)); });

// ── appointment check-in (预约签到) ─────────────────────────
// A citizen who booked on the phone (/b/<hall>) types the booking's 8-symbol code, or scans the
// QR of its page (…/b/<hall>/<token>). On time the ticket is an appointment ticket, late beyond
// the grace an ordinary one; early, double and unknown check-ins are told here.
const BOOKING_LENGTH = 8;
let bookingCode = "";
let bookingBeforeScan = "";

function bookingCodeFrom(text) {
  const s = String(text || "").trim();
  const page = s.match(/\/b\/[^/]+\/([0-9A-Za-z_-]{16,24})(?:[/?#]|$)/);
  if (page) return page[1];
  const code = s.toUpperCase().replace(/[\s-]/g, "");
  const ok = code.length === BOOKING_LENGTH && code.split("").every(function (c) { return NOTICE_ALPHABET.indexOf(c) !== -1; });
  return ok ? code : null;
}

function renderBookingCode() {
  const boxes = $("booking-code").children;
  for (let i = 0; i < boxes.length; i++) {
    boxes[i].textContent = bookingCode[i] || "";
    boxes[i].className = i === bookingCode.length ? "next" : bookingCode[i] ? "filled" : "";
  }
  $("booking-code").dataset.code = bookingCode;
  $("booking-submit").disabled = bookingCode.length !== BOOKING_LENGTH;
}

function bookingError(text) {
  $("booking-error").textContent = text || "";
  $("booking-error").hidden = !text;
  fit();
}

function typeBooking(ch) {
  if (bookingCode.length >= BOOKING_LENGTH || NOTICE_ALPHABET.indexOf(ch) === -1) return;
  bookingCode += ch;
  bookingError("");
  renderBookingCode();
  armIdle();
}

function openBooking() {
  bookingCode = "";
  bookingError("");
  renderBookingCode();
  show("booking");
}

async function checkInBooking(code) {
  if (busy) return;
  if (!token) { showError(tr("no_token")); return; }
  busy = true;
  $("overlay-busy").hidden = false;
  try {
    const t = await api("POST", paths.tickets(), { booking: code, hall: hall }, { token: token });
    showTicket(t, null);
    loadInfo();
  } catch (err) {
    if (screens.booking.hidden) openBooking();
    bookingCode = code.length === BOOKING_LENGTH ? code : "";
    renderBookingCode();
    bookingError(err.code === "booking_not_found" ? tr("booking_not_found") : err.message || errorText(err));
  } finally {
    busy = false;
    $("overlay-busy").hidden = true;
  }
}

(function buildBookingKeypad() {
  const pad = $("booking-keypad");
  NOTICE_ALPHABET.split("").forEach(function (ch) {
    pad.appendChild(h("button", { type: "button", class: "key num", dataset: { key: ch }, text: ch,
      onclick: function () { typeBooking(ch); } }));
  });
})();

$("btn-booking-entry").addEventListener("click", openBooking);
$("btn-booking-back").addEventListener("click", goHome);
$("booking-del").addEventListener("click", function () { bookingCode = bookingCode.slice(0, -1); bookingError(""); renderBookingCode(); armIdle(); });
$("booking-clear").addEventListener("click", function () { bookingCode = ""; bookingError(""); renderBookingCode(); armIdle(); });
$("booking-submit").addEventListener("click", function () { checkInBooking(bookingCodeFrom(bookingCode)); });

// Keyboard input: a barcode scanner (or a keyboard) types a URL or a code, then Enter.
let scanBuffer = "";
let scanTimer = null;
let codeBeforeScan = "";
function scanAccepting() {
  const screen = root.dataset.screen;
  return screen === "categories" || screen === "services" || screen === "notice" || screen === "booking";
}
document.addEventListener("keydown", function (ev) {
  if (!scanAccepting() || ev.ctrlKey || ev.altKey || ev.metaKey) return;
  if (scanTimer) clearTimeout(scanTimer);
  scanTimer = setTimeout(function () { scanBuffer = ""; }, 2000);
  if (ev.key === "Enter") {
    const text = scanBuffer;
    scanBuffer = "";
    const booking = bookingCodeFrom(text) || (root.dataset.screen === "booking" ? bookingCodeFrom(bookingCode) : null);
    if (booking || root.dataset.screen === "booking") {
      ev.preventDefault();
      if (booking) checkInBooking(booking); else bookingError(tr("booking_need_code"));
      return;
    }
    const code = noticeCodeFrom(text) || (root.dataset.screen === "notice" ? noticeCodeFrom(noticeCode) : null);
    if (code) { ev.preventDefault(); takeNoticeTicket(code); }
    else if (text && root.dataset.screen === "notice") noticeError(tr("notice_need_six"));
    return;
  }
  if (root.dataset.screen === "booking") {
    if (ev.key === "Backspace") { bookingCode = bookingCode.slice(0, -1); renderBookingCode(); return; }
    if (ev.key.length !== 1) return;
    if (!scanBuffer) bookingBeforeScan = bookingCode;
    scanBuffer += ev.key;
    if (/^[0-9A-Z-]*$/.test(scanBuffer.toUpperCase())) typeBooking(ev.key.toUpperCase());
    else if (bookingCode !== bookingBeforeScan) { bookingCode = bookingBeforeScan; renderBookingCode(); }
    return;
  }
  if (ev.key === "Backspace" && root.dataset.screen === "notice") {
    noticeCode = noticeCode.slice(0, -1);
    renderNoticeCode();
    return;
  }
  if (ev.key.length !== 1) return;
  if (!scanBuffer) codeBeforeScan = noticeCode;
  scanBuffer += ev.key;
  if (root.dataset.screen !== "notice") return;
  // Plain typing goes into the boxes; once the input shows itself as a URL, put them back.
  const typed = scanBuffer.toUpperCase();
  if (/^[0-9A-Z-]*$/.test(typed)) typeNotice(ev.key.toUpperCase());
  else if (noticeCode !== codeBeforeScan) { noticeCode = codeBeforeScan; renderNoticeCode(); }
});
document.addEventListener("paste", function (ev) {
  if (!scanAccepting()) return;
  const text = ev.clipboardData ? ev.clipboardData.getData("text") : "";
  const booking = bookingCodeFrom(text);
  if (booking && (root.dataset.screen === "booking" || /\/b\//.test(text))) { ev.preventDefault(); checkInBooking(booking); return; }
  const code = noticeCodeFrom(ev.clipboardData ? ev.clipboardData.getData("text") : "");
  if (code) { ev.preventDefault(); takeNoticeTicket(code); }
});

// The kiosk guide's "取号办理" links here with ?service=C: open that service's category with
// the service marked, and let the citizen tap it (a link never takes a number by itself).
function openLinkedService() {
  const code = new URLSearchParams(location.search).get("service");
  const svc = code && info && info.services ? info.services.find(function (s) { return s.code === code; }) : null;
  if (!svc) return;
  if (!singleCategory()) openCategory(categoryKey(svc.category), { focus: false });
  const tile = document.querySelector((singleCategory() ? "#category-tiles" : "#service-tiles") + ' .tile[data-service="' + svc.code + '"]');
  if (tile) { tile.classList.add("linked"); tile.focus(); }
  history.replaceState(null, "", location.pathname);
}

// ── data ───────────────────────────────────────────────────
let firstLoad = true;
async function loadInfo() {
  try {
    info = await api("GET", paths.hall(hall), null, { token: token });
    if (info.timezone) clock.setZone(info.timezone);
    $("hall-name").textContent = localName(info);
    if (firstLoad) {
      firstLoad = false;
      renderCategories();
      goHome();
      openLinkedService();
    } else {
      refreshCounts();
    }
  } catch (err) {
    if (firstLoad) {
      $("category-tiles").textContent = "";
      $("category-tiles").appendChild(h("p", { class: "loading error", text: tr("load_failed") + " — " + errorText(err) }));
      setTimeout(loadInfo, 10000);
    }
  }
}
// Estimated waits depend on server-side averages: re-read them after a burst of events.
const reloadInfo = debounce(loadInfo, 1500);

/** Waiting counts (a snapshot's or an event's) onto the services on screen. */
function applyWaiting(waiting) {
  if (!info || !waiting) return;
  info.services.forEach(function (s) {
    if (Object.prototype.hasOwnProperty.call(waiting, s.code)) s.waiting = waiting[s.code];
  });
  refreshCounts();
}

loadInfo();
loadPrinters();

live({
  hall: hall,
  token: token,
  // A snapshot means we were away too long to replay events: re-read the printer too.
  onSnapshot: function (snap) { applyWaiting(snap.waiting); loadPrinters(); },
  onEvent: function (env) {
    applyWaiting(waitingOf(env));
    if (env.type === "print.updated") {
      onPrintUpdated(env.data && env.data.job);
    } else if (env.type === "printer.status") {
      applyPrinter(env.data && env.data.printer);
    } else if (env.type === "queue.updated") {
      reloadInfo();
    } else if (env.type === "window.updated" || env.type.indexOf("ticket.") === 0) {
      reloadInfo();   // who serves now and the estimates change with windows and tickets
    }
  },
});
