/* hallq — cases (办件) on the consoles: the API paths, the due date with its yellow/red mark,
 * and the events that change a case list. Shared by the clerk's and the manager's pages. */
import { h } from "./dom.js";
import { tr } from "./i18n.js";

const V1 = "/api/v1";
const enc = encodeURIComponent;

export const casePaths = {
  /** `query`: an object of filters (status, owner, urgency, due_before, hall) */
  list: function (query) {
    const q = new URLSearchParams();
    Object.keys(query || {}).forEach(function (k) { if (query[k]) q.set(k, query[k]); });
    const s = q.toString();
    return V1 + "/cases" + (s ? "?" + s : "");
  },
  one: function (code) { return V1 + "/cases/" + enc(code); },
  /** suspend, resume, complete, deliver, reassign, supervise, answer */
  action: function (code, action) { return V1 + "/cases/" + enc(code) + "/" + action; },
};

/** Whether an event changes case lists: a case.* event (or a ticket accepted as a case). */
export function isCaseEvent(env) {
  return !!env && typeof env.type === "string" && env.type.indexOf("case.") === 0;
}

/** The due-date cell: the date, or why there is none, and the yellow/red mark. */
export function dueNodes(c) {
  let text;
  if (c.due) text = c.due;
  else if (c.status === "suspended") text = tr("case_due_stopped");
  else if (c.calendar_missing) text = tr("case_due_missing", { year: c.calendar_missing });
  else text = tr("case_due_none");
  const out = [h("span", { class: "num case-due", text: text })];
  if (c.urgency === "yellow" || c.urgency === "red") {
    out.push(h("span", { class: "urgency " + c.urgency, dataset: { urgency: c.urgency }, text: tr("urgency_" + c.urgency) }));
  }
  return out;
}

/** "已受理" … in the page language. */
export function caseStatusText(status) {
  return tr("case_status_" + status);
}

/** Escalations (请示): a clerk's question to a manager, the answer, the feedback (反馈). */
export const escalationPaths = {
  /** `query`: status (open, answered, all), mine, hall */
  list: function (query) {
    const q = new URLSearchParams();
    Object.keys(query || {}).forEach(function (k) { if (query[k]) q.set(k, query[k]); });
    const s = q.toString();
    return V1 + "/escalations" + (s ? "?" + s : "");
  },
  ask: function () { return V1 + "/escalations"; },
  /** answer (a manager), feedback (the clerk who asked) */
  action: function (id, action) { return V1 + "/escalations/" + enc(String(id)) + "/" + action; },
};

export function isEscalationEvent(env) {
  return !!env && typeof env.type === "string" && env.type.indexOf("escalation.") === 0;
}

/** What an escalation is about: "办件 20261130-A-0001" or "号票 A005". */
export function escalationSubject(e) {
  if (e.case) return tr("esc_case", { number: e.case.number });
  if (e.ticket) return tr("esc_ticket", { number: e.ticket.number });
  return "";
}
