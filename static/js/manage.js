/* hallq — manager console (大厅管理): the hall's printers and the slips that did not print.
 * Session login: the API calls carry the cookie + X-CSRFToken. Sections are independent so the
 * hall map can join them later without touching these. */
import { statusLabel, tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { clockTime, dayTime, shortTime } from "./lib/time.js";
import { api, errorText, paths } from "./lib/api.js";
import { say } from "./lib/toast.js";
import { live } from "./lib/live.js";
import { pages } from "./lib/links.js";

const root = document.getElementById("manage");
const hall = root.dataset.hall;

const AMBER = ["paper_out", "paper_low", "cover_open", "uncertain"];   // staff settle it at the hall in a minute
const state = {
  // the hall's zone, from the page (the snapshot confirms it): never the browser's
  timezone: root.dataset.timezone || undefined,
  printers: [],         // GET /api/v1/printers (with job counts), in its order
  slips: new Map(),     // ticket id → {failed: last failed job, latest: latest job, ticket: ticket|null}
  reprinting: new Set(),
};


function severity(status) {
  if (status === "ok") return "ok";
  if (status === "unknown" || !status) return "unknown";
  return AMBER.indexOf(status) !== -1 ? "amber" : "red";
}

function printerWord(status) { return tr("printer_" + (status || "unknown")); }

function printerById(id) {
  return state.printers.find(function (p) { return p.id === id; }) || null;
}

// ── realtime health: 实时推送降级 while the message queue between server processes fails ──
const REALTIME_POLL_MS = 5000;
function watchRealtime() {
  const pill = document.getElementById("realtime-status");
  if (!pill) return;
  async function check() {
    let degraded = false;
    try {
      degraded = (await api("GET", "/healthz/realtime")).realtime !== "ok";
    } catch (e) {
      degraded = false;   // the server itself is unreachable: the live indicator says so
    }
    pill.hidden = !degraded;
    pill.dataset.degraded = degraded ? "true" : "false";
  }
  check();
  setInterval(check, REALTIME_POLL_MS);
}

// ── printers ───────────────────────────────────────────────
async function loadPrinters() {
  const res = await api("GET", paths.printers(hall));
  state.printers = res.printers || [];
  renderPrinters();
}
const reloadPrinters = debounce(function () { loadPrinters().catch(function () { /* next event */ }); }, 400);

function renderPrinters() {
  const body = $("printer-body");
  body.textContent = "";
  let faulty = 0;
  state.printers.forEach(function (p) {
    const sev = severity(p.status);
    if (p.fault) faulty += 1;
    const jobs = p.jobs || {};
    const pendingJobs = (jobs.queued || 0) + (jobs.sent || 0);
    body.appendChild(h("tr", { class: "sev-" + sev, dataset: { printerId: p.id, status: p.status, fault: p.fault ? "yes" : "no" } },
      h("td", {},
        h("b", { text: p.name || tr("printer_n", { n: p.id }) }),
        h("div", { class: "sub num", text: p.spec }),
        h("div", { class: "sub", text: tr("paper_mm", { n: p.width_mm }) + " · " + tr("mode_" + p.mode) })),
      h("td", { class: "nowrap", text: tr("driver_" + p.driver) }),
      h("td", {}, h("span", { class: "pill sev-" + sev, "data-role": "status", text: printerWord(p.status) })),
      h("td", { class: "detail", text: p.status_detail || "" }),
      h("td", { class: "num nowrap", text: clockTime(p.status_at, state.timezone) }),
      h("td", {}, h("div", { class: "jobs" },
        h("span", { class: "jc ok", text: tr("jobs_printed", { n: jobs.printed || 0 }) }),
        h("span", { class: "jc" + (jobs.failed ? " bad" : ""), text: tr("jobs_failed", { n: jobs.failed || 0 }) }),
        pendingJobs ? h("span", { class: "jc", text: tr("jobs_pending", { n: pendingJobs }) }) : null))));
  });
  $("printers-empty").hidden = state.printers.length > 0;
  const summary = $("printers-summary");
  summary.className = "count" + (faulty ? " bad" : "");
  summary.textContent = !state.printers.length ? "" : faulty ? tr("printers_faulty", { n: faulty }) : tr("printers_all_ok");
}

function applyPrinter(p) {
  if (!p) return;
  const i = state.printers.findIndex(function (x) { return x.id === p.id; });
  if (i === -1) { reloadPrinters(); return; }   // a printer added meanwhile: read its counts
  state.printers[i] = Object.assign({}, state.printers[i], p);
  renderPrinters();
}

// ── slips that did not print ───────────────────────────────
function ours(job) {
  // An admin's list spans every hall: keep the jobs of this hall's printers.
  return root.dataset.role !== "admin" || !!printerById(job.printer);
}

async function loadFailed() {
  const res = await api("GET", paths.failedPrintJobs());
  const slips = new Map();
  (res.jobs || []).forEach(function (j) {          // newest first: the first per ticket wins
    if (!j.ticket || slips.has(j.ticket) || !ours(j)) return;
    const known = state.slips.get(j.ticket);
    slips.set(j.ticket, { failed: j, latest: known && newer(known.latest, j) ? known.latest : j, ticket: known ? known.ticket : null });
  });
  state.slips = slips;
  renderFailed();
  // The failed job may since have been reprinted (at the kiosk), or the ticket served:
  // read each ticket once for its latest slip and its status.
  await Promise.all(Array.from(slips.keys()).map(loadTicket));
  renderFailed();
}

async function loadTicket(id) {
  try {
    const t = await api("GET", paths.ticket(id));
    const row = state.slips.get(id);
    if (!row) return;
    row.ticket = t;
    if (t.print && newer(t.print, row.latest)) row.latest = Object.assign({}, t.print, { ticket: id });
  } catch (e) { /* shown without its status */ }
}

// A job only moves forward (queued → sent → printed | failed): a reply made earlier can
// arrive after the event that finished the job, and must not undo it.
const PROGRESS = { queued: 0, sent: 1, printed: 2, failed: 2 };

/** Is job `a` a later state of `b`, or a later job (a reprint) of the same ticket? */
function newer(a, b) {
  if (!a) return false;
  if (!b) return true;
  if (a.id === b.id) return (PROGRESS[a.status] || 0) >= (PROGRESS[b.status] || 0);
  return Date.parse(a.created_at) > Date.parse(b.created_at);
}

function renderFailed() {
  const body = $("failed-body");
  body.textContent = "";
  const rows = Array.from(state.slips.values()).sort(function (a, b) {
    return Date.parse(b.failed.created_at) - Date.parse(a.failed.created_at);
  });
  let open = 0;
  rows.forEach(function (row) {
    const job = row.latest;
    const printed = job.status === "printed";
    const pendingJob = job.status === "queued" || job.status === "sent";
    if (!printed) open += 1;
    const t = row.ticket;
    const shownFault = job.status === "failed" ? job : row.failed;
    const printer = printerById(shownFault.printer);
    const busy = state.reprinting.has(row.failed.ticket) || pendingJob;
    body.appendChild(h("tr", { class: "slip-" + job.status, dataset: { ticketId: row.failed.ticket, ticketNumber: row.failed.number, state: job.status } },
      h("td", {}, h("b", { class: "num", text: row.failed.number })),
      h("td", { class: "num nowrap", text: shortTime(row.failed.created_at, state.timezone) }),
      // the technical detail (for whoever services the printer) is a tooltip, not the headline
      h("td", { title: shownFault.error || null },
        h("span", { class: "pill sev-" + severity(shownFault.error_kind), text: printerWord(shownFault.error_kind) }),
        printer ? h("div", { class: "sub", text: printer.name }) : null),
      h("td", {}, t ? h("span", { class: "pill " + t.status, text: statusLabel(t.status) }) : null),
      h("td", { class: "nowrap" }, h("span", { class: "slip-state", text: tr("slip_" + job.status) })),
      h("td", { class: "act" },
        printed ? null : h("button", {
          type: "button", class: "btn teal reprint", disabled: busy ? true : null,
          onclick: function () { reprint(row); },
        }, tr(job.reprint ? "reprint_again" : "reprint")))));
  });
  $("failed-empty").hidden = rows.length > 0;
  $("failed-count").textContent = open ? tr("failed_count", { n: open }) : "";
}

async function reprint(row) {
  const id = row.failed.ticket;
  const t = row.ticket;
  // A ticket already served or cancelled rarely needs paper: ask first.
  if (t && ["done", "no_show", "cancelled"].indexOf(t.status) !== -1 &&
      !window.confirm(tr("confirm_reprint_done", { number: row.failed.number, status: statusLabel(t.status) }))) return;
  if (state.reprinting.has(id)) return;
  state.reprinting.add(id);
  renderFailed();
  try {
    const job = await api("POST", paths.ticketAction(id, "reprint"), {});
    if (newer(job, row.latest)) row.latest = job;
    say("ok", tr("reprint_sent", { number: job.number || row.failed.number }));
  } catch (err) {
    say("error", err.status === 409 ? err.message : errorText(err));
  } finally {
    state.reprinting.delete(id);
    renderFailed();
  }
}

function applyJob(job) {
  if (!job || !job.ticket) return;
  const row = state.slips.get(job.ticket);
  if (job.status === "failed" && ours(job)) {
    if (row) {
      row.failed = job;
      if (newer(job, row.latest)) row.latest = job;
    } else {
      state.slips.set(job.ticket, { failed: job, latest: job, ticket: null });
      loadTicket(job.ticket).then(renderFailed);
    }
  } else if (row && newer(job, row.latest)) {
    row.latest = job;
  }
  renderFailed();
}

function applyTicket(t) {
  const row = t && state.slips.get(t.id);
  if (!row) return;
  row.ticket = Object.assign({}, row.ticket || {}, t);
  renderFailed();
}

// ── screens of the hall ────────────────────────────────────
function renderWindowLinks(windows) {
  const box = $("window-links");
  box.textContent = "";
  (windows || []).forEach(function (w) {
    box.appendChild(h("a", {
      href: pages.windowBoard(hall, w.id), target: "_blank", rel: "noopener",
      class: "status-" + w.status, text: tr("window_n", { n: w.number }),
    }));
  });
}

function applySnapshot(snap) {
  if (snap.hall) {
    state.timezone = snap.hall.timezone;
    $("hall-name").textContent = snap.hall.name;
  }
  renderWindowLinks(snap.windows);
}

// ── first contact figures: transfers, notices, repeat trips ─
// Where citizens get lost (转办去向), what they lacked (一次告知) and who keeps coming back for
// the same matter (多次往返, live through trip.repeated).
const FIG_DAYS = 30;
const figs = { names: {}, trips: [] };

function svcName(code) { return figs.names[code] ? figs.names[code] + " " + code : code; }

function bars(listId, emptyId, rows, label, unit) {
  const list = $(listId);
  list.textContent = "";
  const max = rows.reduce(function (a, r) { return Math.max(a, r.count); }, 0) || 1;
  rows.forEach(function (r) {
    list.appendChild(h("li", { class: "bar-row", dataset: r.data },
      h("span", { class: "bar-label", text: label(r) }),
      h("span", { class: "bar-track" }, h("span", { class: "bar", style: "width:" + Math.max(4, Math.round(100 * r.count / max)) + "%" })),
      h("span", { class: "bar-count num", text: tr(unit, { n: r.count }) })));
  });
  $(emptyId).hidden = rows.length > 0;
}

async function loadFigures() {
  try {
    const f = await api("GET", paths.figures(hall, FIG_DAYS));
    const transfers = f.transfers || [];
    bars("transfer-bars", "transfer-empty", transfers.map(function (t) {
      return { count: t.count, from: t.from, to: t.to, data: { from: t.from, to: t.to, count: t.count } };
    }), function (r) { return svcName(r.from) + " → " + svcName(r.to); }, "fig_times");
    const tt = transfers.reduce(function (a, t) { return a + t.count; }, 0);
    $("transfer-fig-total").textContent = tt ? tr("fig_times", { n: tt }) : "";
    const notices = f.notices || [];
    notices.forEach(function (n) { if (n.name) figs.names[n.service] = n.name; });
    bars("notice-bars", "notice-empty", notices.map(function (n) {
      return { count: n.count, service: n.service, data: { service: n.service, count: n.count } };
    }), function (r) { return svcName(r.service); }, "fig_notices");
    const nt = notices.reduce(function (a, n) { return a + n.count; }, 0);
    $("notice-fig-total").textContent = nt ? tr("fig_notices", { n: nt }) : "";
    document.querySelectorAll(".fig-card [data-role='days']").forEach(function (el) { el.textContent = "（" + tr("fig_days", { n: f.days || FIG_DAYS }) + "）"; });
  } catch (err) { /* figures are a view: the next event tries again */ }
}
const reloadFigures = debounce(loadFigures, 800);

async function loadTrips() {
  try {
    const res = await api("GET", paths.repeatTrips(hall));
    figs.trips = res.trips || [];
    renderTrips();
  } catch (err) { /* next event */ }
}

// how many notices a visit got (the public stream carries counts, never codes)
function noticeCount(n) { return Array.isArray(n) ? n.length : Number(n) || 0; }

function renderTrips(flashNumber) {
  const body = $("trips-body");
  body.textContent = "";
  figs.trips.forEach(function (trip) {
    const when = trip.at ? dayTime(trip.at, state.timezone) : "";
    body.appendChild(h("tr", { class: flashNumber && trip.ticket && trip.ticket.number === flashNumber ? "flash" : "", dataset: { visits: trip.visits } },
      h("td", { class: "num nowrap", text: when }),
      h("td", {}, h("b", { class: "num", text: trip.ticket ? trip.ticket.number : "" })),
      h("td", { text: trip.service_name || trip.service || "" }),
      h("td", {}, h("span", { class: "pill sev-red", text: tr("trip_visits", { n: trip.visits }) })),
      h("td", {}, h("ol", { class: "trip-history" }, (trip.history || []).map(function (v) {
        return h("li", {},
          h("span", { class: "num", text: v.business_day + " " + v.number }),
          " ", h("span", { class: "pill " + v.status, text: statusLabel(v.status) }),
          noticeCount(v.notices) ? h("span", { class: "sub", text: " " + tr("trip_notices", { n: noticeCount(v.notices) }) }) : null);
      })))));
  });
  $("trips-empty").hidden = figs.trips.length > 0;
  $("trips-count").textContent = figs.trips.length ? tr("trips_count", { n: figs.trips.length }) : "";
}

function figSnapshot(snap) {
  (snap.services || []).forEach(function (s) { figs.names[s.code] = s.name; });
}

function figEvent(env) {
  const data = env.data || {};
  if (env.type === "trip.repeated") {
    const trip = Object.assign({ at: env.at }, data);
    figs.trips.unshift(trip);
    renderTrips(trip.ticket ? trip.ticket.number : null);
    say("error", tr("trip_new", { number: trip.ticket ? trip.ticket.number : "", service: trip.service_name || trip.service, n: trip.visits }));
    reloadFigures();
  } else if (env.type === "ticket.transferred" || env.type === "notice.created") {
    reloadFigures();
  }
}

// ── start ──────────────────────────────────────────────────
(async function start() {
  try {
    await loadPrinters();
    await loadFailed();
  } catch (err) {
    say("error", errorText(err));
  }
  await Promise.all([loadFigures(), loadTrips()]);
  watchRealtime();
  let first = true;
  live({
    hall: hall,
    onSnapshot: function (snap) {
      applySnapshot(snap);
      figSnapshot(snap);
      renderPrinters();
      renderFailed();
      // A later snapshot means we were away too long to replay the events: read again.
      if (!first) { reloadPrinters(); loadFailed().catch(function () { /* next event */ }); reloadFigures(); loadTrips(); }
      else { loadFigures(); }   // the snapshot brings the service names
      first = false;
    },
    onEvent: function (env) {
      figEvent(env);
      const data = env.data || {};
      if (env.type === "printer.status") {
        applyPrinter(data.printer);
      } else if (env.type === "print.updated") {
        applyJob(data.job);
        reloadPrinters();    // job counts
      } else if (env.type === "window.updated" && data.window) {
        const link = document.querySelector('#window-links a[href$="/window/' + data.window.id + '"]');
        if (link) link.className = "status-" + data.window.status;
      }
      if (data.ticket) applyTicket(data.ticket);
    },
  });
})();
