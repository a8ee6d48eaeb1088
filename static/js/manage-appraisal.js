/* hallq — the month's appraisal (/manage/appraisal): scores per clerk or window from
 * GET /api/v1/halls/<hall>/appraisal, a row's explanation (every point with its records), the
 * month's overdue cases and recent repeat trips with a button to record a decision against the
 * clerk responsible (POST …/appraisal/records), and the month's records with the clerks' answers. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { appraisalPaths, decisionText, factorName, fillLines, kindText, monthRange, points, rulesNote, thisMonth } from "./lib/appraisal.js";

const root = $("appraisal");
const hall = root.dataset.hall;
let current = null;

function who(score) {
  if (score.clerk) return score.clerk.name + (score.clerk.badge ? "（" + score.clerk.badge + "）" : "");
  return score.window ? tr("window_n", { n: score.window.number }) : "—";
}

function explain(score, row) {
  Array.prototype.forEach.call($("ap-scores").children, function (tr_) { tr_.classList.remove("selected"); });
  row.classList.add("selected");
  $("ap-explain").hidden = false;
  $("ap-explain-title").textContent = tr("ap_explain", { who: who(score), month: current.month }) + " · " + tr("ap_base", { n: score.base });
  fillLines($("ap-lines"), score.lines);
}

function render(r) {
  current = r;
  const shown = r.factors.filter(function (f) { return r.by === "clerk" || !f.clerk_only; });
  $("ap-head").textContent = "";
  $("ap-head").appendChild(h("tr", {},
    h("th", { text: tr(r.by === "clerk" ? "ap_clerk" : "ap_window") }),
    h("th", { text: tr("ap_total") }),
    shown.map(function (f) { return h("th", { text: factorName(f.key) }); })));
  const body = $("ap-scores");
  body.textContent = "";
  $("ap-explain").hidden = true;
  $("ap-rules").textContent = rulesNote(r);
  if (!r.scores.length) {
    body.appendChild(h("tr", {}, h("td", { colspan: String(shown.length + 2), class: "muted", text: tr("ap_no_scores") })));
    return;
  }
  r.scores.forEach(function (sc, i) {
    const row = h("tr", { "data-key": String(i), tabindex: "0" },
      h("td", { text: who(sc) }),
      h("td", { class: "num" }, h("b", { text: String(sc.total) })),
      shown.map(function (f) { return h("td", { class: "num" }, f.key in sc.factors ? points(sc.factors[f.key]) : ""); }));
    row.addEventListener("click", function () { explain(sc, row); });
    row.addEventListener("keydown", function (ev) { if (ev.key === "Enter") explain(sc, row); });
    body.appendChild(row);
  });
}

async function loadScores() {
  $("ap-rules").textContent = tr("loading");
  const r = await api("GET", appraisalPaths.scores(hall, $("ap-month").value, $("ap-by").value));
  render(r);
}

function prefill(kind, subject, ticket, clerk) {
  $("rec-kind").value = kind;
  $("rec-subject").value = subject;
  $("rec-ticket").value = ticket || "";
  $("rec-clerk").value = clerk || "";
  $("rec-subject").focus();
}

async function loadCandidates() {
  const [from, to] = monthRange($("ap-month").value);
  const ov = await api("GET", paths.overdue(hall, new URLSearchParams({ from: from, to: to })));
  const list = $("rec-overdue");
  list.textContent = "";
  if (!ov.cases.length) list.appendChild(h("li", { class: "muted", text: tr("ap_no_overdue") }));
  ov.cases.forEach(function (c) {
    const holders = {};
    c.held_by.forEach(function (d) { if (d.clerk) holders[d.clerk.username] = d.clerk; });
    const li = h("li", {}, h("b", { text: c.case }), h("span", { text: c.service + " · " + c.days_late }));
    Object.keys(holders).forEach(function (u) {
      li.appendChild(h("button", { class: "btn ghost small", type: "button", text: tr("ap_record_btn") + " " + holders[u].name,
        onclick: function () { prefill("overdue", c.case, null, u); } }));
    });
    list.appendChild(li);
  });
  const trips = await api("GET", paths.repeatTrips(hall));
  const tl = $("rec-trips");
  tl.textContent = "";
  if (!trips.trips.length) tl.appendChild(h("li", { class: "muted", text: tr("ap_no_trips") }));
  trips.trips.forEach(function (t) {
    const ticket = t.ticket || {};
    tl.appendChild(h("li", {},
      h("span", { text: tr("ap_trip_line", { number: ticket.number || "", n: t.visits, service: t.service_name || t.service || "" }) }),
      h("span", { class: "muted", text: (t.at || "").slice(0, 10) }),
      h("button", { class: "btn ghost small", type: "button", text: tr("ap_record_btn"),
        onclick: function () { prefill("repeat_trip", ticket.number || "", ticket.id, ""); } })));
  });
}

async function loadRecords() {
  const [from, to] = monthRange($("ap-month").value);
  const r = await api("GET", appraisalPaths.records(hall, new URLSearchParams({ from: from, to: to })));
  const body = $("rec-list");
  body.textContent = "";
  if (!r.records.length) body.appendChild(h("tr", {}, h("td", { colspan: "7", class: "muted", text: tr("ap_no_records") })));
  r.records.forEach(function (rec) {
    body.appendChild(h("tr", {},
      h("td", { text: rec.day }),
      h("td", { text: rec.clerk ? rec.clerk.name : "—" }),
      h("td", { text: kindText(rec) }),
      h("td", { text: rec.subject || "" }),
      h("td", { text: decisionText(rec) }),
      h("td", { text: rec.note || "" }),
      h("td", { class: rec.answer === null ? "muted" : "", text: rec.answer === null ? tr("ap_not_answered") : rec.answer })));
  });
}

async function load(ev) {
  if (ev) ev.preventDefault();
  try {
    await loadScores();
    await loadRecords();
    await loadCandidates();
  } catch (err) {
    $("ap-rules").textContent = "";
    sayError(err);
  }
}

$("rec-decision").addEventListener("change", function () {
  const deduct = $("rec-decision").value === "deduct";
  $("rec-points").disabled = !deduct;
  $("rec-points").required = deduct;
});
$("rec-subject").addEventListener("input", function () { $("rec-ticket").value = ""; });

$("rec-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const kind = $("rec-kind").value;
  const body = { kind: kind, decision: $("rec-decision").value };
  if (kind === "overdue") body.case = $("rec-subject").value.trim();
  else if ($("rec-ticket").value) body.ticket = $("rec-ticket").value;
  else body.notice = $("rec-subject").value.trim();
  if ($("rec-clerk").value.trim()) body.clerk = $("rec-clerk").value.trim();
  if (body.decision === "deduct") body.points = Number($("rec-points").value);
  if ($("rec-note").value.trim()) body.note = $("rec-note").value.trim();
  try {
    const rec = await api("POST", appraisalPaths.records(hall), body);
    say("ok", tr("ap_recorded", { who: rec.clerk ? rec.clerk.name : "", decision: decisionText(rec) }));
    $("rec-form").reset();
    $("rec-points").disabled = true;
    await loadScores();
    await loadRecords();
  } catch (err) { sayError(err); }
});

async function start() {
  const snap = await api("GET", paths.snapshot(hall)).catch(function () { return null; });
  const url = new URLSearchParams(window.location.search);
  $("ap-month").value = url.get("month") || thisMonth(snap ? snap.hall.timezone : undefined);
  await load();
}

$("ap-filters").addEventListener("submit", load);
start();
