/* hallq — the overdue report (超期追责): GET /api/v1/halls/<hall>/overdue for a date range,
 * late days per clerk, window and service, each late case with who held it each day; CSV and
 * Excel are the same URL with format=csv|xlsx. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { hallToday } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { sayError } from "./lib/toast.js";

const root = document.getElementById("overdue");
const hall = root.dataset.hall;

function query(format) {
  const p = new URLSearchParams();
  p.set("from", $("ov-from").value);
  p.set("to", $("ov-to").value);
  if (format) p.set("format", format);
  return p;
}

function fill(id, rows, cells) {
  const body = $(id);
  body.textContent = "";
  if (!rows.length) {
    body.appendChild(h("tr", {}, h("td", { colspan: "6", class: "muted", text: tr("no_rows") })));
    return;
  }
  rows.forEach(function (r) { body.appendChild(h("tr", {}, ...cells(r).map(function (c) { return h("td", { text: String(c) }); }))); });
}

function clerkName(c) { return c ? c.name : tr("nobody"); }

async function load(ev) {
  if (ev) ev.preventDefault();
  $("ov-csv").href = paths.overdue(hall, query("csv"));
  $("ov-xlsx").href = paths.overdue(hall, query("xlsx"));
  $("ov-count").textContent = tr("loading");
  try {
    const r = await api("GET", paths.overdue(hall, query()));
    fill("ov-clerks", r.by_clerk, function (t) { return [clerkName(t.clerk), t.clerk && t.clerk.badge || "", t.cases, t.days]; });
    fill("ov-windows", r.by_window, function (t) { return [t.window === null ? "—" : tr("window_n", { n: t.window }), t.cases, t.days]; });
    fill("ov-services", r.by_service, function (t) { return [t.service, t.cases, t.days]; });
    fill("ov-cases", r.cases, function (c) {
      const held = c.held_by.map(function (d) {
        return d.day.slice(5) + " " + clerkName(d.clerk) + (d.covering ? tr("covering_for", { name: clerkName(d.owner) }) : "");
      }).join("、");
      return [c.case, c.service, c.window === null ? "—" : tr("window_n", { n: c.window }), c.due, c.days_late, held];
    });
    $("ov-count").textContent = tr("cases_n", { n: r.cases.length });
  } catch (err) {
    $("ov-count").textContent = "";
    sayError(err);
  }
}

async function start() {
  const url = new URLSearchParams(window.location.search);
  const snap = await api("GET", paths.snapshot(hall)).catch(function () { return null; });
  const tz = snap ? snap.hall.timezone : undefined;
  $("ov-to").value = url.get("to") || hallToday(tz);
  $("ov-from").value = url.get("from") || hallToday(tz, -29);
  await load();
}

$("ov-filters").addEventListener("submit", load);
start();
