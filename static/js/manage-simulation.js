/* hallq — the staffing simulator (/manage/simulation): POST /api/v1/halls/<hall>/simulation with
 * a learned or pasted scenario, then the waits per hour and service, the share within the
 * target, the windows' utilisation and the planned vs recommended windows per hour as charts
 * (Apache ECharts, static/vendor/echarts), and the estimate's error as a table. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { sayError } from "./lib/toast.js";
import { pct, resizeCharts } from "./lib/evaluation.js";

const root = document.getElementById("simulation");
const hall = root.dataset.hall;
const MAX_FILE = 64000;
const TEXT = { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };
const COLORS = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828", "#5d4037", "#455a64"];

function chart(el) {
  return window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
}

function hh(hour) { return String(hour).padStart(2, "0") + ":00"; }

function source() { return document.querySelector("input[name=source]:checked").value; }

function showSource() { $("sim-yaml-box").hidden = source() !== "scenario"; }

function intOrNull(id) {
  const v = $(id).value.trim();
  return v === "" ? null : parseInt(v, 10);
}

function body() {
  const b = { source: source(), recommend: $("sim-recommend").checked, estimates: $("sim-estimates").checked, measure: $("sim-measure").value };
  if (b.source === "learn") b.history_days = intOrNull("sim-history") || 30;
  else b.scenario = $("sim-scenario").value;
  const target = intOrNull("sim-target");
  if (target != null) b.wait_target_minutes = target;
  const days = intOrNull("sim-days");
  if (days != null) b.days = days;
  return b;
}

function cellOf(r, service, hour) {
  return r.cells.find(function (c) { return c.service === service && c.hour === hour; });
}

function drawWaits(r) {
  const hours = r.hours.map(hh);
  const series = [];
  r.services.forEach(function (s, i) {
    const color = COLORS[i % COLORS.length];
    const pick = function (k) { return r.hours.map(function (hr) { const c = cellOf(r, s, hr); return c ? c[k] : null; }); };
    series.push({ name: s + " " + tr("mean"), type: "bar", data: pick("mean_min"), itemStyle: { color: color }, barMaxWidth: 18 });
    series.push({ name: s + " " + tr("p90"), type: "line", data: pick("p90_min"), itemStyle: { color: color }, lineStyle: { type: "dashed" }, connectNulls: false });
  });
  series.push({ name: tr("target"), type: "line", data: r.hours.map(function () { return r.wait_target_minutes; }), symbol: "none", lineStyle: { color: "#c62828", width: 1 }, itemStyle: { color: "#c62828" } });
  chart($("chart-waits")).setOption({
    textStyle: TEXT,
    title: { text: tr("waits_chart"), left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 44, right: 16, top: 40, bottom: 56 },
    xAxis: { type: "category", data: hours },
    yAxis: { type: "value" },
    series: series,
  }, true);
}

function drawWithin(r) {
  chart($("chart-within")).setOption({
    textStyle: TEXT,
    title: { text: tr("within_chart"), left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 44, right: 16, top: 40, bottom: 56 },
    xAxis: { type: "category", data: r.hours.map(hh) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: r.services.map(function (s, i) {
      return { name: s, type: "line", itemStyle: { color: COLORS[i % COLORS.length] },
        data: r.hours.map(function (hr) { const c = cellOf(r, s, hr); return c ? +(c.within_target * 100).toFixed(1) : null; }) };
    }),
  }, true);
}

function drawUtil(r) {
  chart($("chart-util")).setOption({
    textStyle: TEXT,
    title: { text: tr("util_chart"), left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    grid: { left: 44, right: 16, top: 40, bottom: 32 },
    xAxis: { type: "category", data: r.utilisation.map(function (u) { return tr("window_n", { n: u.window }); }) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "bar", barMaxWidth: 40, itemStyle: { color: "#00838f" }, data: r.utilisation.map(function (u) { return +(u.share * 100).toFixed(1); }) }],
  }, true);
}

function drawStaff(r) {
  const hours = r.staffing.map(function (s) { return s.hour; });
  const advised = {};
  r.recommended.forEach(function (a) { advised[a.hour] = a.windows.length; });
  const series = [{ name: tr("planned"), type: "bar", barMaxWidth: 24, itemStyle: { color: "#90a4ae" }, data: r.staffing.map(function (s) { return s.windows.length; }) }];
  if (r.recommended.length) series.push({ name: tr("recommended"), type: "bar", barMaxWidth: 24, itemStyle: { color: "#1565c0" }, data: hours.map(function (hr) { return advised[hr] != null ? advised[hr] : null; }) });
  chart($("chart-staff")).setOption({
    textStyle: TEXT,
    title: { text: tr("staff_chart"), left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { top: 0, right: 0 },
    grid: { left: 44, right: 16, top: 40, bottom: 32 },
    xAxis: { type: "category", data: hours.map(hh) },
    yAxis: { type: "value", minInterval: 1 },
    series: series,
  }, true);
}

function kpis(r) {
  const box = $("sim-kpis");
  box.textContent = "";
  const o = r.overall;
  [[tr("k_people"), String(o.per_day)], [tr("k_mean"), o.mean_min.toFixed(1)], [tr("k_p90"), o.p90_min.toFixed(1)],
    [tr("k_within"), pct(o.within_target)]].forEach(function (k) {
    box.appendChild(h("div", { class: "kpi" }, h("span", { class: "kpi-label", text: k[0] }), h("b", { class: "kpi-value num", text: k[1] })));
  });
}

function tables(r) {
  const advice = $("sim-advice");
  advice.textContent = "";
  const rec = {};
  r.recommended.forEach(function (a) { rec[a.hour] = a.windows; });
  if (!r.recommended.length) advice.appendChild(h("tr", {}, h("td", { colspan: "4", class: "muted", text: tr("no_advice") })));
  else r.staffing.forEach(function (s) {
    const ws = rec[s.hour] || [];
    advice.appendChild(h("tr", {}, h("td", { text: hh(s.hour) }), h("td", { class: "r num", text: String(s.windows.length) }),
      h("td", { class: "r num", text: String(ws.length) }), h("td", { text: ws.join(", ") })));
  });
  const est = $("sim-estimates-rows");
  est.textContent = "";
  if (!r.estimates.length) est.appendChild(h("tr", {}, h("td", { colspan: "5", class: "muted", text: tr("no_estimates") })));
  r.estimates.forEach(function (e) {
    est.appendChild(h("tr", {}, h("td", { text: tr("est_" + e.estimator) }), h("td", { class: "r num", text: String(e.count) }),
      h("td", { class: "r num", text: e.mean_abs_min.toFixed(1) }), h("td", { class: "r num", text: e.p90_abs_min.toFixed(1) }),
      h("td", { class: "r num", text: (e.bias_min > 0 ? "+" : "") + e.bias_min.toFixed(1) })));
  });
  $("sim-scenario-out").textContent = r.scenario;
}

async function run(ev) {
  ev.preventDefault();
  const button = $("sim-run");
  button.disabled = true;
  root.dataset.loaded = "";
  $("sim-status").textContent = tr("running");
  try {
    const r = await api("POST", paths.simulation(hall), body());
    $("sim-status").textContent = tr("done", { days: r.days, n: r.citizens, no_shows: r.no_shows, transfers: r.transfers, unserved: r.unserved });
    $("sim-charts").hidden = false;
    $("sim-more").hidden = false;
    kpis(r);
    drawWaits(r);
    drawWithin(r);
    drawUtil(r);
    drawStaff(r);
    tables(r);
    resizeCharts();
    root.dataset.loaded = "1";
  } catch (err) {
    $("sim-status").textContent = "";
    sayError(err);
  } finally {
    button.disabled = false;
  }
}

$("sim-file").addEventListener("change", function () {
  const f = $("sim-file").files[0];
  if (!f) return;
  if (f.size > MAX_FILE) { sayError(new Error(tr("file_too_big"))); return; }
  f.text().then(function (text) { $("sim-scenario").value = text; });
});
document.querySelectorAll("input[name=source]").forEach(function (el) { el.addEventListener("change", showSource); });
$("sim-form").addEventListener("submit", run);
window.addEventListener("resize", resizeCharts);
showSource();
