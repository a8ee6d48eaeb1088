/* hallq — the clerk console's cases (办件): completing with an outcome (办结/受理/不予受理/一次告知),
 * my open cases with their due dates and yellow/red marks (sorted by urgency, live on case.*
 * events), their actions (suspend, resume, complete, deliver) and answering a supervision (督办).
 * clerk.js calls initCases() once and onCaseEvent() with every event. */
import { tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { api, errorText, paths } from "./lib/api.js";
import { say } from "./lib/toast.js";
import { casePaths, caseStatusText, dueNodes, isCaseEvent } from "./lib/cases.js";

const cs = {
  current: function () { return null; },   // the ticket being served (from clerk.js)
  afterComplete: function () {},
  escalate: function () {},   // 请示: ask a manager about a case (clerk-escalations.js)
  cases: [],
  acting: null,       // {code, action} of the open case dialog
};

function dialogError(id, text) {
  $(id).textContent = text || "";
  $(id).hidden = !text;
}

function apiMessage(err) {
  return err.status === 400 || err.status === 409 ? err.message : errorText(err);
}

// ── outcome at the window ─────────────────────────────────────
function outcomeChosen() {
  const el = document.querySelector("#outcome-form input[name=outcome]:checked");
  return el ? el.value : "";
}

function showOutcomeFields() {
  const o = outcomeChosen();
  $("outcome-accept").hidden = o !== "accepted";
  $("outcome-refuse").hidden = o !== "refused";
}

function openOutcome() {
  const cur = cs.current();
  if (!cur) return;
  $("outcome-form").reset();
  $("outcome-number").textContent = cur.number;
  showOutcomeFields();
  dialogError("outcome-error", "");
  $("outcome-dialog").showModal();
}

async function submitOutcome(ev) {
  ev.preventDefault();
  const cur = cs.current();
  if (!cur) { $("outcome-dialog").close(); return; }
  const outcome = outcomeChosen();
  // no outcome: the server records done, or notice when a one-time notice was given
  const body = outcome ? { outcome: outcome } : {};
  if (outcome === "accepted") {
    const materials = $("outcome-materials").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (materials.length) body.materials = materials;
    const why = $("outcome-accept-reason").value.trim();
    if (why) body.reason = why;
  } else if (outcome === "refused") {
    body.reason_code = $("outcome-reason-code").value;
    const why = $("outcome-refuse-reason").value.trim();
    if (why) body.reason = why;   // none: the server says a refusal needs its explanation
  }
  $("outcome-submit").disabled = true;
  try {
    const t = await api("POST", paths.ticketAction(cur.id, "complete"), body);
    $("outcome-dialog").close();
    if (t.case) {
      say("ok", tr("case_accepted_ok", { number: t.case.number, due: t.case.due || tr("case_due_none") }));
      loadCases();
    } else {
      say("ok", tr("outcome_ok_" + t.outcome, { number: t.number }));
    }
    cs.afterComplete();
  } catch (err) {
    dialogError("outcome-error", apiMessage(err));
  } finally {
    $("outcome-submit").disabled = false;
  }
}

// ── my cases ──────────────────────────────────────────────────
async function loadCases() {
  try {
    const res = await api("GET", casePaths.list({ status: "open", owner: "me" }));
    cs.cases = res.cases || [];
  } catch (err) { return; }
  renderCases();
}
const refreshCases = debounce(loadCases, 300);

function actionButton(c, action, label, cls) {
  return h("button", {
    type: "button", class: "btn small " + (cls || "ghost"), dataset: { caseAction: action },
    onclick: function () { caseAction(c, action); },
  }, label);
}

function renderCases() {
  const body = $("cases-body");
  body.textContent = "";
  cs.cases.forEach(function (c) {
    const sup = c.supervision && !c.supervision.answered_at ? c.supervision : null;
    const buttons = [];
    if (c.status === "accepted") {
      buttons.push(actionButton(c, "suspend", tr("case_act_suspend")));
      buttons.push(actionButton(c, "complete", tr("case_act_complete"), "green"));
    } else if (c.status === "suspended") {
      buttons.push(actionButton(c, "resume", tr("case_act_resume"), "teal"));
    } else if (c.status === "completed") {
      buttons.push(actionButton(c, "deliver", tr("case_act_deliver"), "teal"));
    }
    if (sup) buttons.push(actionButton(c, "answer", tr("case_act_answer"), "red"));
    buttons.push(actionButton(c, "escalate", tr("case_act_escalate")));
    // the A4 acceptance receipt (受理回执), for a window without a slip printer or a lost slip
    if (c.receipt_url) buttons.push(h("a", { class: "btn ghost sm", href: c.receipt_url, target: "_blank", rel: "noopener", text: tr("case_receipt") }));
    body.appendChild(h("tr", { class: "case-row urgency-" + c.urgency, dataset: { caseCode: c.code, caseNumber: c.number, status: c.status, urgency: c.urgency } },
      h("td", {}, h("b", { class: "num", text: c.number }),
        sup ? h("span", { class: "tag prio", text: tr("case_supervised") }) : null),
      h("td", { text: c.service_name }),
      h("td", {}, dueNodes(c)),
      h("td", {}, h("span", { class: "pill case-" + c.status, text: caseStatusText(c.status) })),
      h("td", { class: "case-actions" }, buttons)));
  });
  $("cases-empty").hidden = cs.cases.length > 0;
  $("cases-count").textContent = cs.cases.length ? tr("follow_count", { n: cs.cases.length }) : "";
}

function caseAction(c, action) {
  if (action === "escalate") {
    cs.escalate(c);
    return;
  }
  if (action === "resume" || action === "complete") {
    run(c.code, action, {});
    return;
  }
  cs.acting = { code: c.code, action: action };
  $("case-form").reset();
  $("case-title").textContent = tr("case_act_" + action) + " " + c.number;
  document.querySelectorAll("#case-form [data-for]").forEach(function (el) {
    el.hidden = el.dataset.for.split(" ").indexOf(action) === -1;
    el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = el.hidden; });
  });
  const sup = c.supervision || {};
  $("case-supervision").textContent = action === "answer"
    ? tr("case_supervision_line", { note: sup.note || "", by: sup.by ? sup.by.name : "", date: sup.reply_by || "" }) : "";
  dialogError("case-error", "");
  $("case-dialog").showModal();
}

async function run(code, action, body) {
  try {
    const c = await api("POST", casePaths.action(code, action), body);
    say("ok", tr("case_done_" + action, { number: c.number }));
    loadCases();
    return true;
  } catch (err) {
    if ($("case-dialog").open) dialogError("case-error", apiMessage(err));
    else say("error", apiMessage(err));
    return false;
  }
}

async function submitCase(ev) {
  ev.preventDefault();
  const a = cs.acting;
  if (!a) return;
  const body = {};
  if (a.action === "suspend") {
    body.kind = $("case-kind").value;
    const why = $("case-reason").value.trim();
    if (why) body.reason = why;
  } else if (a.action === "deliver") {
    body.method = $("case-method").value;
    const note = $("case-note").value.trim();
    if (note) body.note = note;
  } else if (a.action === "answer") {
    const reply = $("case-answer").value.trim();
    if (reply) body.answer = reply;
  }
  $("case-submit").disabled = true;
  try {
    if (await run(a.code, a.action, body)) $("case-dialog").close();
  } finally {
    $("case-submit").disabled = false;
  }
}

/** A case event: my list changes (a supervision of mine is told at once). */
export function onCaseEvent(env, me) {
  if (!isCaseEvent(env)) return;
  const c = env.data && env.data.case;
  if (env.type === "case.supervised" && c && c.owner && c.owner.username === me) {
    say("error", tr("case_supervised_toast", { number: c.number }), 15000);
  }
  refreshCases();
}

export function initCases(opts) {
  cs.current = opts.current;
  cs.afterComplete = opts.afterComplete;
  if (opts.escalate) cs.escalate = opts.escalate;
  $("btn-outcome").addEventListener("click", openOutcome);
  $("outcome-form").addEventListener("change", showOutcomeFields);
  $("outcome-form").addEventListener("submit", submitOutcome);
  $("case-form").addEventListener("submit", submitCase);
  loadCases();
}

export { loadCases };
