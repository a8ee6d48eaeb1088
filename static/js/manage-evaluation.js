/* hallq — the evaluation dashboard (评估): GET /api/v1/halls/<hall>/evaluation for a date range,
 * the hall's (or a service's, window's, clerk's) figures, a breakdown by service, window or clerk
 * with a drill-down hall → service → window → clerk, charts (Apache ECharts), and the CSV and
 * Excel exports — the same URL with format=csv|xlsx, so they carry exactly these figures. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { hallToday } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { sayError } from "./lib/toast.js";
import { count, drawBreakdown, drawRatings, drawWaits, kpis, minutes, pct, resizeCharts } from "./lib/evaluation.js";

const root = document.getElementById("evaluation");
const hall = root.dataset.hall;
//: the drill-down goes service → window → clerk
const NEXT = { service: "window", window: "clerk", clerk: null };
const state = { service: null, window: null, clerk: null };

function query(format) {
  const p = new URLSearchParams();
  p.set("from", $("ev-from").value);
  p.set("to", $("ev-to").value);
  p.set("by", $("ev-by").value);
  ["service", "window", "clerk"].forEach(function (k) { if (state[k] != null) p.set(k, state[k]); });
  if (format) p.set("format", format);
  return p;
}

function remember() {
  const p = query();
  const url = new URL(window.location.href);
  ["from", "to", "by", "service", "window", "clerk"].forEach(function (k) {
    if (p.has(k)) url.searchParams.set(k, p.get(k)); else url.searchParams.delete(k);
  });
  window.history.replaceState(null, "", url.toString());
}

function crumbs(report) {
  const nav = $("ev-crumbs");
  nav.textContent = "";
  const steps = [[tr("whole_hall"), {}]];
  if (state.service != null) steps.push([tr("service_n", { n: state.service }), { service: state.service }]);
  if (state.window != null) steps.push([tr("window_n", { n: state.window }), { service: state.service, window: state.window }]);
  if (state.clerk != null) steps.push([tr("clerk_n", { n: state.clerk }), Object.assign({}, state)]);
  steps.forEach(function (step, i) {
    if (i) nav.appendChild(h("span", { class: "sep", text: "›" }));
    const last = i === steps.length - 1;
    nav.appendChild(last
      ? h("b", { class: "crumb current", text: step[0] })
      : h("button", { class: "crumb btn ghost sm", type: "button", text: step[0], onclick: function () {
        state.service = step[1].service != null ? step[1].service : null;
        state.window = step[1].window != null ? step[1].window : null;
        state.clerk = step[1].clerk != null ? step[1].clerk : null;
        load();
      } }));
  });
  root.dataset.scope = [state.service, state.window, state.clerk].map(function (x) { return x == null ? "" : x; }).join("/");
  return report;
}

function reportHref(clerk) {
  const month = $("ev-to").value.slice(0, 7);
  const p = new URLSearchParams({ month: month });
  if (clerk) p.set("clerk", clerk);
  const u = new URL(window.location.href);
  if (u.searchParams.get("hall")) p.set("hall", u.searchParams.get("hall"));
  return "/manage/evaluation/report?" + p.toString();
}

function drill(by, key) {
  state[by] = by === "window" ? parseInt(key, 10) : key;
  const next = NEXT[by];
  if (next) $("ev-by").value = next;
  else $("ev-by").value = "service";
  load();
}

function rowCells(r, by) {
  const f = r.figures;
  const late = f.cases.completed_late + f.cases.open_overdue;
  const cells = [count(f.issued), f.served, f.no_shows, f.transfers, minutes(f.wait.mean_s), minutes(f.wait.p50_s),
    minutes(f.wait.p90_s), pct(f.wait.within_target), minutes(f.service_time.mean_s), pct(f.ratings.satisfaction_rate),
    pct(f.ratings.rating_rate), f.ratings.bad, f.follow_ups.filed, pct(f.follow_ups.on_time_rate), late, f.notices];
  const tr_ = h("tr", { dataset: { key: r.key } }, h("td", { text: r.label }),
    ...cells.map(function (c) { return h("td", { class: "r num", text: String(c) }); }));
  const act = h("td", { class: "act" });
  const canDrill = state[by] == null && !(by === "clerk" && state.clerk != null);
  if (canDrill) act.appendChild(h("button", { class: "btn ghost sm", type: "button", dataset: { drill: r.key }, text: tr("drill"),
    onclick: function () { drill(by, r.key); } }));
  if (by === "clerk") act.appendChild(h("a", { class: "btn ghost sm", href: reportHref(r.key), text: tr("report") }));
  tr_.appendChild(act);
  return tr_;
}

async function load(ev) {
  if (ev) ev.preventDefault();
  remember();
  $("ev-csv").href = paths.evaluation(hall, query("csv"));
  $("ev-xlsx").href = paths.evaluation(hall, query("xlsx"));
  $("ev-report").href = reportHref(state.clerk);
  $("ev-count").textContent = tr("loading");
  root.dataset.loaded = "";
  try {
    const r = crumbs(await api("GET", paths.evaluation(hall, query())));
    const by = r.by;
    $("ev-range").textContent = r.from + " — " + r.to;
    const box = $("ev-kpis");
    box.textContent = "";
    kpis(r.summary, r.wait_target_minutes).forEach(function (k) {
      box.appendChild(h("div", { class: "kpi" }, h("span", { class: "kpi-label", text: k[0] }), h("b", { class: "kpi-value num", text: k[1] })));
    });
    $("ev-target").textContent = tr("target_note", { n: r.wait_target_minutes }) + (r.wait_target_default ? tr("default_target") : "") + " · " + tr("minutes_note");
    const body = $("ev-rows");
    body.textContent = "";
    if (!r.rows.length) body.appendChild(h("tr", {}, h("td", { colspan: "18", class: "muted", text: tr("no_rows") })));
    r.rows.forEach(function (row) { body.appendChild(rowCells(row, by)); });
    $("ev-count").textContent = tr("rows_n", { n: r.rows.length });
    const title = tr("by_" + by);
    const bars = drawBreakdown($("chart-breakdown"), r.rows, title);
    // a click on a bar drills down like the row's button
    bars.off("click");
    if (state[by] == null) bars.on("click", function (p) { if (r.rows[p.dataIndex]) drill(by, r.rows[p.dataIndex].key); });
    drawWaits($("chart-waits"), r.rows, tr("waits_chart"), r.wait_target_minutes);
    drawRatings($("chart-ratings"), r.summary, tr("ratings_chart"));
    root.dataset.loaded = "1";
  } catch (err) {
    $("ev-count").textContent = "";
    sayError(err);
  }
}

async function start() {
  const url = new URLSearchParams(window.location.search);
  const snap = await api("GET", paths.snapshot(hall)).catch(function () { return null; });
  const tz = snap ? snap.hall.timezone : undefined;
  const today = hallToday(tz);
  $("ev-to").value = url.get("to") || today;
  $("ev-from").value = url.get("from") || today.slice(0, 8) + "01";
  $("ev-by").value = url.get("by") || "service";
  state.service = url.get("service");
  state.window = url.get("window") ? parseInt(url.get("window"), 10) : null;
  state.clerk = url.get("clerk");
  await load();
}

$("ev-filters").addEventListener("submit", load);
window.addEventListener("resize", resizeCharts);
start();
