/* hallq — the audit log page (审计日志): filters by person, window, ticket and day; the table of
 * GET /api/v1/halls/<hall>/audit, a page at a time ("更早的记录" follows next_before); "导出 CSV" /
 * "导出 Excel" are the same URL with format=csv / xlsx (every row of the filtered range). */
import { lang, tr, windowLabel } from "./lib/i18n.js";
import { $, fillSelect, h } from "./lib/dom.js";
import { hallToday } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { sayError } from "./lib/toast.js";

const root = document.getElementById("audit");
const hall = root.dataset.hall;
const LIMIT = 500;
const state = { timezone: undefined, windows: [], next: null, shown: 0 };
const english = lang === "en";

function kindClass(type) {
  if (type === "window.alarm") return "bad";
  if (type === "window.alarm_cleared") return "ok";
  if (["queue.moved", "posts.updated", "leave.registered", "hall.updated", "service.updated", "trip.repeated", "calendar.imported"].indexOf(type) !== -1) return "warn";
  if (type.indexOf("window.") === 0) return "muted";
  return "";
}

function params() {
  const p = new URLSearchParams();
  const user = $("f-user").value;
  const win = $("f-window").value;
  const ticket = $("f-ticket").value.trim();
  const day = $("f-day").value;
  if (user) p.set("user", user);
  if (win) p.set("window", win);
  if (ticket) p.set("ticket", ticket);
  if (day) p.set("day", day);
  return p;
}

function syncUrls() {
  const p = params();
  const csv = new URLSearchParams(p);
  csv.set("format", "csv");
  $("export-csv").href = paths.audit(hall, csv);
  const xlsx = new URLSearchParams(p);
  xlsx.set("format", "xlsx");
  $("export-xlsx").href = paths.audit(hall, xlsx);
  // the filtered view is a link a manager can send (an admin's ?hall= stays)
  const page = new URLSearchParams(p);
  const asked = new URLSearchParams(window.location.search).get("hall");
  if (asked) page.set("hall", asked);
  const lang = new URLSearchParams(window.location.search).get("lang");
  if (lang) page.set("lang", lang);
  try { window.history.replaceState(null, "", window.location.pathname + (page.toString() ? "?" + page.toString() : "")); } catch (e) { /* ignore */ }
  return p;
}

function actorCell(r) {
  if (!r.actor) {
    const role = r.actor_role ? tr("role_" + r.actor_role) : tr("system");
    return h("td", { class: "muted" }, role);
  }
  return h("td", {},
    h("b", { text: r.actor.name }),
    r.actor.badge ? h("span", { class: "num badge", text: " " + r.actor.badge }) : null,
    h("div", { class: "sub" }, r.actor.username + (r.actor_role ? " · " + tr("role_" + r.actor_role) : "")));
}

/** The action in words (the server's, in the page language); a type it does not know by itself. */
function actionText(r) {
  const said = english ? r.action_en : r.action;
  if (said) return said;
  return tr("ev_" + r.type) === "ev_" + r.type ? r.type : tr("ev_" + r.type);
}

function render(rows, p, more) {
  const body = $("audit-body");
  if (!more) { body.textContent = ""; state.shown = 0; }
  const showDate = !p.get("day");
  rows.forEach(function (r) {
    const time = (r.at || "").slice(11, 19);
    const date = (r.at || "").slice(5, 10);
    body.appendChild(h("tr", { dataset: { seq: r.seq, type: r.type } },
      h("td", { class: "num nowrap" }, showDate ? h("span", { class: "date", text: date + " " }) : null, time),
      h("td", { class: "nowrap" }, h("span", { class: "pill " + kindClass(r.type), title: r.type, text: actionText(r) })),
      actorCell(r),
      h("td", { class: "nowrap" }, r.window ? h("a", {
        href: "#", class: "filter-link", title: tr("filter_by"), text: windowLabel(r.window),
        onclick: function (ev) { ev.preventDefault(); $("f-window").value = String(r.window.id); load(); },
      }) : null),
      h("td", { class: "nowrap" }, r.ticket ? h("a", {
        href: "#", class: "filter-link num", title: tr("filter_by"), text: r.ticket.number,
        onclick: function (ev) { ev.preventDefault(); $("f-ticket").value = r.ticket.number; load(); },
      }) : null),
      h("td", { class: "summary", text: (english ? r.summary_en : r.summary) || r.summary || "" })));
  });
  state.shown += rows.length;
  if (!state.shown) {
    body.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: "6", text: tr("no_rows") })));
  }
  $("audit-count").textContent = state.next ? tr("rows_more", { n: state.shown }) : tr("rows_n", { n: state.shown });
  $("audit-more").hidden = !state.next;
}

let asked = 0;
async function load(ev, more) {
  if (ev) ev.preventDefault();
  const p = syncUrls();
  const q = new URLSearchParams(p);
  q.set("limit", String(LIMIT));
  if (more && state.next) q.set("before", String(state.next));
  const mine = ++asked;
  $("audit-count").textContent = tr("loading");
  try {
    const res = await api("GET", paths.audit(hall, q));
    if (mine !== asked) return;
    state.next = res.next_before || null;
    render(res.events || [], p, more);
  } catch (err) {
    if (mine !== asked) return;
    $("audit-count").textContent = "";
    sayError(err);
  }
}

async function start() {
  const url = new URLSearchParams(window.location.search);
  const [snap, users] = await Promise.all([
    api("GET", paths.snapshot(hall)).catch(function () { return null; }),
    api("GET", paths.hallUsers(hall)).catch(function (err) { sayError(err); return { users: [] }; }),
  ]);
  if (snap) {
    state.timezone = snap.hall.timezone;
    state.windows = snap.windows || [];
    $("hall-name").textContent = snap.hall.name;
  }
  fillSelect($("f-user"), [{ value: "", text: tr("all_people") }].concat((users.users || []).map(function (u) {
    return { value: u.username, text: u.name + (u.badge ? " · " + u.badge : "") + "（" + u.username + "）" };
  })), url.get("user") || "");
  fillSelect($("f-window"), [{ value: "", text: tr("all_windows") }].concat(state.windows.map(function (w) {
    return { value: String(w.id), text: tr("window_n", { n: w.number }) };
  })), url.get("window") || "");
  $("f-ticket").value = url.get("ticket") || "";
  $("f-day").value = url.has("day") ? url.get("day") : hallToday(state.timezone);
  await load();
}

$("audit-filters").addEventListener("submit", load);
$("audit-more").addEventListener("click", function () { load(null, true); });
["f-user", "f-window", "f-day"].forEach(function (id) { $(id).addEventListener("change", function () { load(); }); });
$("f-clear").addEventListener("click", function () {
  $("f-user").value = "";
  $("f-window").value = "";
  $("f-ticket").value = "";
  $("f-day").value = "";
  load();
});
start();
