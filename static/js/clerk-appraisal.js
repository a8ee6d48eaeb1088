/* hallq — the clerk's own appraisal (/clerk/appraisal): GET /api/v1/halls/<hall>/appraisal (the
 * API answers a clerk their own score only) and their records, each answered once through
 * POST /api/v1/appraisal/records/<id>/answer. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { appraisalPaths, decisionText, fillLines, kindText, monthRange, rulesNote, thisMonth } from "./lib/appraisal.js";

const root = $("my-appraisal");
const hall = root.dataset.hall;

function recordItem(rec) {
  const li = h("li", { class: "ap-record", "data-record": String(rec.id), "data-decision": rec.decision },
    h("b", { text: rec.day }),
    h("span", { text: kindText(rec) + " " + (rec.subject || "") }),
    h("span", { class: "pill", text: decisionText(rec) }),
    h("span", { class: "grow muted", text: rec.note || "" }));
  if (rec.answer !== null) {
    li.appendChild(h("div", { class: "answer-box" }, h("span", { class: "muted", text: tr("ap_answered") + "：" + rec.answer })));
    return li;
  }
  const box = h("textarea", { class: "input", maxlength: "1000", "aria-label": tr("ap_answer") });
  const send = h("button", { class: "btn", type: "button", text: tr("ap_answer") });
  send.addEventListener("click", async function () {
    try {
      await api("POST", appraisalPaths.answer(rec.id), { answer: box.value });
      say("ok", tr("ap_answer_sent"));
      await loadRecords();
    } catch (err) { sayError(err); }
  });
  li.appendChild(h("div", { class: "answer-box" }, box, send));
  return li;
}

async function loadRecords() {
  const [from, to] = monthRange($("my-month").value);
  const q = new URLSearchParams({ from: from, to: to });
  const r = await api("GET", appraisalPaths.records(hall, q));
  const list = $("my-records");
  list.textContent = "";
  if (!r.records.length) list.appendChild(h("li", { class: "muted", text: tr("ap_no_records") }));
  r.records.forEach(function (rec) { list.appendChild(recordItem(rec)); });
}

async function load(ev) {
  if (ev) ev.preventDefault();
  $("my-total").textContent = tr("loading");
  try {
    const r = await api("GET", appraisalPaths.scores(hall, $("my-month").value));
    const mine = r.scores[0];
    $("my-rules").textContent = rulesNote(r);
    $("my-total").textContent = mine ? String(mine.total) : "";
    fillLines($("my-lines"), mine ? mine.lines : []);
    await loadRecords();
  } catch (err) {
    $("my-total").textContent = "";
    sayError(err);
  }
}

async function start() {
  const snap = await api("GET", paths.snapshot(hall)).catch(function () { return null; });
  const url = new URLSearchParams(window.location.search);
  $("my-month").value = url.get("month") || thisMonth(snap ? snap.hall.timezone : undefined);
  await load();
}

$("my-filters").addEventListener("submit", load);
start();
