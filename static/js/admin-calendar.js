/* hallq — the working-day calendar page (/admin/calendar): a year as the hall counts it, and
 * the State Council's schedule pasted as JSON (PUT /api/v1/calendar/<year>). The API checks
 * every day and names each bad field; its message is shown as is. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";

const root = document.getElementById("admin");
const hall = root.dataset.hall;
const enc = encodeURIComponent;
const calendarPath = (year, withHall) => "/api/v1/calendar/" + year + (withHall ? "?hall=" + enc(hall) : "");

function year() {
  const y = parseInt($("cal-year").value, 10);
  return Number.isFinite(y) ? y : new Date().getFullYear() + 1;
}

function show(view) {
  const status = $("cal-status");
  const body = $("cal-days");
  body.textContent = "";
  if (!view.covered) {
    $("cal-source").textContent = "";
    status.textContent = tr("cal_uncovered", { year: view.year });
    status.className = "warn";
    return;
  }
  status.className = "muted";
  $("cal-source").textContent = tr("cal_from", { source: tr("cal_source_" + view.source) });
  status.textContent = view.imported_at
    ? tr("cal_imported", { document: view.document || "—", at: view.imported_at.slice(0, 16).replace("T", " "), by: view.imported_by || "cli" })
    : "";
  const rows = view.holidays.map(function (d) { return [d, tr("cal_holiday")]; })
    .concat(view.workdays.map(function (d) { return [d, tr("cal_workday")]; }))
    .sort(function (a, b) { return a[0].day < b[0].day ? -1 : 1; });
  if (!rows.length) body.appendChild(h("tr", {}, h("td", { colspan: "3", class: "muted", text: tr("cal_none") })));
  rows.forEach(function (r) {
    body.appendChild(h("tr", {}, h("td", { class: "num", text: r[0].day }), h("td", { text: r[1] }), h("td", { text: r[0].name })));
  });
}

async function load() {
  $("cal-year").value = year();
  show(await api("GET", calendarPath(year(), true)));
}

$("cal-year-form").addEventListener("submit", function (ev) {
  ev.preventDefault();
  load().catch(sayError);
});

$("cal-import-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  let body;
  try {
    body = JSON.parse($("cal-json").value);
  } catch (e) {
    say("error", tr("cal_bad_json", { error: e.message }));
    return;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) body = { holidays: body };
  if ($("cal-doc").value.trim()) body.source = $("cal-doc").value.trim();
  const scope = $("cal-scope").value;
  if (scope) body.hall = scope; else delete body.hall;
  const button = $("cal-import");
  button.disabled = true;
  try {
    const done = await api("PUT", calendarPath(year(), false), body);
    say("ok", tr("cal_saved", { year: done.year, n: done.recomputed }));
    await load();
  } catch (err) {
    sayError(err);
  } finally {
    button.disabled = false;
  }
});

load().catch(sayError);
