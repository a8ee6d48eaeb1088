/* hallq — the clerk console's escalations (请示): asking a manager about the ticket being served
 * or one of my cases, my questions with the answers that came back (live on escalation.*
 * events), and recording what the citizen was told (反馈). clerk.js calls initEscalations()
 * once and onEscalationEvent() with every event; clerk-cases.js opens the dialog for a case. */
import { tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { api, errorText } from "./lib/api.js";
import { say } from "./lib/toast.js";
import { escalationPaths, escalationSubject, isEscalationEvent } from "./lib/cases.js";

const es = { list: [], subject: null, feedbackFor: null };

function apiMessage(err) {
  return err.status === 400 || err.status === 409 || err.status === 403 ? err.message : errorText(err);
}

function dialogError(text) {
  $("esc-error").textContent = text || "";
  $("esc-error").hidden = !text;
}

/** Open the dialog: `subject` is {ticket: id, number} or {case: code, number}; or, with
 * `feedbackFor`, the feedback to the citizen after an answer. */
function openDialog(subject, feedbackFor) {
  es.subject = subject;
  es.feedbackFor = feedbackFor || null;
  $("esc-form").reset();
  dialogError("");
  const fb = es.feedbackFor;
  $("esc-title").textContent = fb ? tr("esc_feedback_title", { subject: escalationSubject(fb) })
    : tr("esc_title", { number: subject.number });
  $("esc-answer-line").hidden = !fb;
  $("esc-answer-line").textContent = fb ? tr("esc_answer_line", { answer: fb.answer || "", by: fb.answered_by ? fb.answered_by.name : "" }) : "";
  $("esc-text-label").textContent = fb ? tr("esc_feedback_label") : tr("esc_question_label");
  $("esc-dialog").showModal();
}

export function escalateCase(c) {
  openDialog({ case: c.code, number: c.number });
}

export function escalateTicket(t) {
  if (t) openDialog({ ticket: t.id, number: t.number });
}

async function submit(ev) {
  ev.preventDefault();
  const text = $("esc-text").value.trim();
  $("esc-submit").disabled = true;
  try {
    if (es.feedbackFor) {
      await api("POST", escalationPaths.action(es.feedbackFor.id, "feedback"), text ? { feedback: text } : {});
      say("ok", tr("esc_fed_back_ok"));
    } else {
      const body = es.subject.case ? { case: es.subject.case } : { ticket: es.subject.ticket };
      if (text) body.question = text;
      await api("POST", escalationPaths.ask(), body);
      say("ok", tr("esc_asked_ok", { number: es.subject.number }));
    }
    $("esc-dialog").close();
    load();
  } catch (err) {
    dialogError(apiMessage(err));
  } finally {
    $("esc-submit").disabled = false;
  }
}

async function load() {
  try {
    const res = await api("GET", escalationPaths.list({ status: "all", mine: "true" }));
    // what still needs me or a manager: not yet answered, or answered without my feedback
    es.list = (res.escalations || []).filter(function (e) { return e.status !== "fed_back"; });
  } catch (err) { return; }
  render();
}
const refresh = debounce(load, 300);

function render() {
  const body = $("esc-body");
  body.textContent = "";
  es.list.forEach(function (e) {
    const answered = e.status === "answered";
    body.appendChild(h("tr", { class: "esc-row " + e.status, dataset: { escalation: String(e.id), status: e.status } },
      h("td", { text: escalationSubject(e) }),
      h("td", { class: "esc-q", text: e.question }),
      h("td", { class: "esc-a", text: answered ? e.answer + (e.answered_by ? "（" + e.answered_by.name + "）" : "") : tr("esc_waiting") }),
      h("td", {}, answered ? h("button", {
        type: "button", class: "btn small teal", dataset: { escAction: "feedback" },
        onclick: function () { openDialog(null, e); },
      }, tr("esc_feedback")) : null)));
  });
  $("esc-empty").hidden = es.list.length > 0;
}

/** An escalation event: my list changes; an answer to me is told at once. */
export function onEscalationEvent(env, me) {
  if (!isEscalationEvent(env)) return;
  const e = env.data && env.data.escalation;
  if (env.type === "escalation.answered" && e && e.asked_by && e.asked_by.username === me) {
    say("info", tr("esc_answered_toast", { subject: escalationSubject(e), answer: e.answer || "" }), 15000);
  }
  refresh();
}

export function initEscalations(opts) {
  $("esc-form").addEventListener("submit", submit);
  $("btn-escalate").addEventListener("click", function () { escalateTicket(opts.current()); });
  load();
}
