/* hallq — the manager's escalations (请示) on the cases page: clerks' questions waiting for an
 * answer, the oldest first, live on escalation.* events; the answer goes back to the clerk.
 * manage-cases.js calls initEscalations() once and onEscalationEvent() with every event. */
import { tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { api } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { formDialog } from "./lib/dialogs.js";
import { escalationPaths, escalationSubject, isEscalationEvent } from "./lib/cases.js";

const root = document.getElementById("cases");
const hall = root.dataset.hall;
const me = root.dataset.user;
const state = { list: [] };

async function load() {
  try {
    const res = await api("GET", escalationPaths.list({ status: "open", hall: hall }));
    state.list = res.escalations || [];
  } catch (err) { sayError(err); return; }
  render();
}
const refresh = debounce(load, 300);

function render() {
  const body = $("esc-body");
  body.textContent = "";
  state.list.forEach(function (e) {
    const own = e.asked_by && e.asked_by.username === me;
    body.appendChild(h("tr", { class: "esc-row", dataset: { escalation: String(e.id) } },
      h("td", { text: escalationSubject(e) }),
      h("td", { text: e.asked_by ? e.asked_by.name + (e.window ? " · " + e.window.name : "") : "—" }),
      h("td", { class: "esc-q", text: e.question }),
      h("td", { class: "num", text: e.asked_at.slice(0, 16).replace("T", " ") }),
      h("td", {}, own ? null : h("button", {
        type: "button", class: "btn small teal", dataset: { escAction: "answer" },
        onclick: function () { answer(e); },
      }, tr("esc_answer")))));
  });
  $("esc-empty").hidden = state.list.length > 0;
  $("esc-count").textContent = state.list.length ? tr("cases_n", { n: state.list.length }) : "";
}

async function answer(e) {
  const dlg = $("esc-dialog");
  $("esc-form").reset();
  $("esc-title").textContent = tr("esc_answer_title", { subject: escalationSubject(e) });
  $("esc-question").textContent = e.question;
  const data = await formDialog(dlg);
  if (!data) return;
  try {
    await api("POST", escalationPaths.action(e.id, "answer"), { answer: String(data.get("answer") || "").trim() });
    say("ok", tr("esc_answered_ok", { name: e.asked_by ? e.asked_by.name : "" }));
    load();
  } catch (err) { sayError(err); }
}

export function onEscalationEvent(env) {
  if (!isEscalationEvent(env)) return;
  const e = env.data && env.data.escalation;
  if (env.type === "escalation.asked" && e) {
    say("info", tr("esc_asked_toast", { name: e.asked_by ? e.asked_by.name : "", subject: escalationSubject(e) }));
  }
  refresh();
}

export { refresh as refreshEscalations };

export function initEscalations() {
  return load();
}
