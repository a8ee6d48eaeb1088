/* hallq — what the evaluation dashboard and its monthly report share: formatting the figures
 * and drawing them with Apache ECharts (static/vendor/echarts, loaded as a classic script). */
import { tr } from "./i18n.js";

export const LEVELS = [5, 4, 3, 2, 1];
const LEVEL_COLORS = { 5: "#2e7d32", 4: "#66bb6a", 3: "#c0ca33", 2: "#fb8c00", 1: "#e53935" };

/** A share 0..1 as "93.5%", none as "—". */
export function pct(v) { return v == null ? "—" : (v * 100).toFixed(1) + "%"; }
/** Seconds as minutes "12.5", none as "—". */
export function minutes(s) { return s == null ? "—" : (s / 60).toFixed(1); }
/** A count, none (a window or clerk has no tickets issued) as "—". */
export function count(n) { return n == null ? "—" : String(n); }

/** The first and last day of a month "YYYY-MM". */
export function monthRange(month) {
  const [y, m] = month.split("-").map(function (x) { return parseInt(x, 10); });
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, "0");
  return [y + "-" + mm + "-01", y + "-" + mm + "-" + String(last).padStart(2, "0")];
}

/** The headline figures of one scope, as [label, value] pairs. */
export function kpis(f, target) {
  return [
    [tr("k_issued"), count(f.issued)],
    [tr("k_served"), String(f.served)],
    [tr("k_no_shows"), String(f.no_shows)],
    [tr("k_transfers"), String(f.transfers)],
    [tr("k_mean_wait"), minutes(f.wait.mean_s)],
    [tr("k_p50_wait"), minutes(f.wait.p50_s)],
    [tr("k_p90_wait"), minutes(f.wait.p90_s)],
    [tr("k_within", { n: target }), pct(f.wait.within_target)],
    [tr("k_mean_service"), minutes(f.service_time.mean_s)],
    [tr("k_satisfaction"), pct(f.ratings.satisfaction_rate)],
    [tr("k_rating_rate"), pct(f.ratings.rating_rate)],
    [tr("k_bad"), String(f.ratings.bad)],
    [tr("k_follow_ups"), String(f.follow_ups.filed)],
    [tr("k_on_time"), pct(f.follow_ups.on_time_rate)],
    [tr("k_cases_late"), String(f.cases.completed_late + f.cases.open_overdue)],
    [tr("k_notices"), String(f.notices)],
    [tr("k_trips"), count(f.repeat_trips)],
  ];
}

function chart(el) {
  const existing = window.echarts.getInstanceByDom(el);
  return existing || window.echarts.init(el, null, { renderer: "canvas" });
}

const TEXT = { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };

/** Served per row (bars) and the satisfaction rate (line, right axis). */
export function drawBreakdown(el, rows, title, animate) {
  const names = rows.map(function (r) { return r.label; });
  const c = chart(el);
  c.setOption({
    animation: animate !== false,
    textStyle: TEXT,
    title: { text: title, left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { top: 0, right: 0, data: [tr("served"), tr("satisfaction_rate")] },
    grid: { left: 48, right: 56, top: 48, bottom: 64 },
    xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: tr("served"), type: "bar", barMaxWidth: 48, data: rows.map(function (r) { return r.figures.served; }), itemStyle: { color: "#1565c0" } },
      { name: tr("satisfaction_rate"), type: "line", yAxisIndex: 1, connectNulls: false,
        data: rows.map(function (r) { const v = r.figures.ratings.satisfaction_rate; return v == null ? null : +(v * 100).toFixed(1); }),
        itemStyle: { color: "#2e7d32" } },
    ],
  }, true);
  return c;
}

/** Mean, p50 and p90 wait per row, in minutes. */
export function drawWaits(el, rows, title, target, animate) {
  const pick = function (k) { return rows.map(function (r) { const v = r.figures.wait[k]; return v == null ? null : +(v / 60).toFixed(1); }); };
  chart(el).setOption({
    animation: animate !== false,
    textStyle: TEXT,
    title: { text: title, left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { top: 0, right: 0 },
    grid: { left: 48, right: 24, top: 48, bottom: 64 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: tr("minutes_axis") },
    series: [
      { name: tr("k_mean_wait"), type: "bar", barMaxWidth: 32, data: pick("mean_s"), itemStyle: { color: "#5c6bc0" },
        markLine: { silent: true, symbol: "none", data: [{ yAxis: target, name: tr("k_target") }], lineStyle: { color: "#e53935", type: "dashed" } } },
      { name: tr("k_p50_wait"), type: "bar", barMaxWidth: 32, data: pick("p50_s"), itemStyle: { color: "#26a69a" } },
      { name: tr("k_p90_wait"), type: "bar", barMaxWidth: 32, data: pick("p90_s"), itemStyle: { color: "#ffa726" } },
    ],
  }, true);
}

/** Ratings per level (5 = 非常满意 … 1 = 非常不满意). */
export function drawRatings(el, figures, title, animate) {
  const levels = figures.ratings.levels;
  chart(el).setOption({
    animation: animate !== false,
    textStyle: TEXT,
    title: { text: title, left: 0, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["38%", "66%"], center: ["50%", "50%"],
      label: { formatter: "{b}\n{c}" },
      data: LEVELS.map(function (lv) { return { name: tr("level_" + lv), value: levels[String(lv)], itemStyle: { color: LEVEL_COLORS[lv] } }; }),
    }],
  }, true);
}

/** Resize every chart on the page with it. */
export function resizeCharts() {
  document.querySelectorAll("[_echarts_instance_]").forEach(function (el) {
    const c = window.echarts.getInstanceByDom(el);
    if (c) c.resize();
  });
}
