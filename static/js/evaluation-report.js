/* hallq — the printable monthly report (月度评估报告, A4) of a hall (by window) or of one clerk
 * (by service): the same GET /api/v1/halls/<hall>/evaluation as the dashboard, for one month. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { hallToday } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { sayError } from "./lib/toast.js";
import { drawBreakdown, drawRatings, drawWaits, kpis, minutes, monthRange, pct } from "./lib/evaluation.js";

const root = document.getElementById("ev-report");
const hall = root.dataset.hall;

function fillRows(body, list) {
  body.textContent = "";
  list.forEach(function (row) {
    const f = row.figures;
    const cells = [f.served, f.no_shows, f.transfers, minutes(f.wait.mean_s), minutes(f.wait.p90_s), pct(f.wait.within_target),
      minutes(f.service_time.mean_s), pct(f.ratings.satisfaction_rate), pct(f.ratings.rating_rate), f.ratings.bad,
      f.cases.completed_late + f.cases.open_overdue];
    body.appendChild(h("tr", { dataset: { key: row.key } }, h("td", { text: row.label }),
      ...cells.map(function (c) { return h("td", { class: "num", text: String(c) }); })));
  });
  if (!list.length) body.appendChild(h("tr", {}, h("td", { colspan: "12", text: tr("no_rows") })));
}

async function start() {
  const url = new URLSearchParams(window.location.search);
  let month = url.get("month");
  if (!month || !/^\d{4}-\d{2}$/.test(month)) {
    const snap = await api("GET", paths.snapshot(hall)).catch(function () { return null; });
    month = hallToday(snap ? snap.hall.timezone : undefined).slice(0, 7);
  }
  const clerk = url.get("clerk");
  const [from, to] = monthRange(month);
  const q = new URLSearchParams({ from: from, to: to, by: clerk ? "service" : "window" });
  if (clerk) q.set("clerk", clerk);
  try {
    const r = await api("GET", paths.evaluation(hall, q));
    $("rep-title").textContent = clerk
      ? tr("report_title_clerk", { name: r.scope_label, month: month })
      : tr("report_title_hall", { hall: r.hall_name, month: month });
    $("rep-range").textContent = tr("report_range", { from: r.from, to: r.to }) + " · " + tr("target_note", { n: r.wait_target_minutes });
    const body = $("rep-kpis");
    body.textContent = "";
    const pairs = kpis(r.summary, r.wait_target_minutes);
    for (let i = 0; i < pairs.length; i += 3) {
      const row = h("tr");
      pairs.slice(i, i + 3).forEach(function (p) { row.appendChild(h("td", { text: p[0] })); row.appendChild(h("td", { class: "num", text: p[1] })); });
      body.appendChild(row);
    }
    $("rep-breakdown-title").textContent = $("rep-breakdown-title").textContent + "（" + tr("by_" + r.by) + "）";
    fillRows($("rep-rows"), r.rows);
    if (!clerk) {
      // the hall's report also lists every clerk (the same figures, by=clerk)
      q.set("by", "clerk");
      const perClerk = await api("GET", paths.evaluation(hall, q));
      fillRows($("rep-clerks"), perClerk.rows);
      $("rep-clerks-section").hidden = false;
    }
    // no animation: the page is printed as drawn
    drawRatings($("rep-chart-ratings"), r.summary, tr("ratings_chart"), false);
    drawBreakdown($("rep-chart-breakdown"), r.rows, tr("by_" + r.by), false);
    drawWaits($("rep-chart-waits"), r.rows, tr("waits_chart"), r.wait_target_minutes, false);
    $("rep-printed").textContent = r.today;
    root.dataset.loaded = "1";
  } catch (err) {
    sayError(err);
  }
}

$("rep-print").addEventListener("click", function () { window.print(); });
const back = new URL(window.location.href);
back.pathname = "/manage/evaluation";
back.searchParams.delete("month");
back.searchParams.delete("clerk");
$("rep-back").href = back.pathname + back.search;
start();
