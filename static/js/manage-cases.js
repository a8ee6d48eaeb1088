/* hallq — the manager's cases page (办件预警): the hall's yellow and red cases, the most urgent
 * first, live on case.* events; a case is put under supervision (督办) with a note and a reply-by
 * date, and the owner's answer shows here when it comes. */
import { tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { hallToday } from "./lib/time.js";
import { api } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { formDialog } from "./lib/dialogs.js";
import { live } from "./lib/live.js";
import { casePaths, caseStatusText, dueNodes, isCaseEvent } from "./lib/cases.js";
import { initEscalations, onEscalationEvent, refreshEscalations } from "./manage-escalations.js";

const root = document.getElementById("cases");
const hall = root.dataset.hall;
const state = { cases: [], timezone: undefined };

function query() {
  const scope = $("f-scope").value;
  const q = { status: "open", hall: hall };
  if (scope === "red") q.urgency = "red";
  return q;
}

async function load() {
  try {
    const res = await api("GET", casePaths.list(query()));
    const scope = $("f-scope").value;
    state.cases = (res.cases || []).filter(function (c) {
      return scope !== "warn" || c.urgency === "yellow" || c.urgency === "red";
    });
  } catch (err) { sayError(err); return; }
  render();
}
const refresh = debounce(load, 300);

function supervisionText(c) {
  const s = c.supervision;
  if (!s) return tr("sup_none");
  if (s.answered_at) return tr("sup_answered", { answer: s.answer || "" });
  return tr("sup_waiting", { date: s.reply_by || "" });
}

function render() {
  const body = $("cases-body");
  body.textContent = "";
  state.cases.forEach(function (c) {
    body.appendChild(h("tr", { class: "case-row urgency-" + c.urgency, dataset: { caseCode: c.code, caseNumber: c.number, urgency: c.urgency } },
      h("td", {}, h("b", { class: "num", text: c.number })),
      h("td", { text: c.service_name }),
      h("td", { text: c.owner ? c.owner.name + (c.owner.badge ? " · " + c.owner.badge : "") : "—" }),
      h("td", {}, dueNodes(c)),
      h("td", { text: caseStatusText(c.status) }),
      h("td", { class: "sup", text: supervisionText(c) }),
      h("td", {}, h("button", {
        type: "button", class: "btn small red", dataset: { caseAction: "supervise" },
        onclick: function () { supervise(c); },
      }, tr("supervise")))));
  });
  $("cases-empty").hidden = state.cases.length > 0;
  $("cases-count").textContent = state.cases.length ? tr("cases_n", { n: state.cases.length }) : "";
}

async function supervise(c) {
  const dlg = $("supervise-dialog");
  $("supervise-form").reset();
  $("supervise-title").textContent = tr("supervise_title", { number: c.number });
  const today = hallToday(state.timezone, 0);
  $("supervise-reply-by").min = today;
  $("supervise-reply-by").value = hallToday(state.timezone, 2);
  const data = await formDialog(dlg);
  if (!data) return;
  try {
    const res = await api("POST", casePaths.action(c.code, "supervise"), {
      note: String(data.get("note") || "").trim(), reply_by: String(data.get("reply_by") || ""),
    });
    say("ok", tr("supervised_ok", { number: res.number, name: res.owner ? res.owner.name : "" }));
    load();
  } catch (err) { sayError(err); }
}

$("f-scope").addEventListener("change", load);

(async function start() {
  await Promise.all([load(), initEscalations()]);
  live({
    hall: hall,
    onSnapshot: function (snap) { state.timezone = snap.hall ? snap.hall.timezone : undefined; refresh(); refreshEscalations(); },
    onEvent: function (env) {
      onEscalationEvent(env);
      if (!isCaseEvent(env)) return;
      const c = env.data && env.data.case;
      if (env.type === "case.answered" && c && c.supervision) {
        say("info", tr("answered_toast", { number: c.number, answer: c.supervision.answer || "" }));
      }
      refresh();
    },
  });
})();
