/* hallq — follow-ups of bad ratings and complaints (好差评与投诉) for managers and the supervisor:
 * the list by urgency with the deadline, live on complaint.* events; a detail view to verify
 * (核实: verdict, evidence, corrective action, the decision on the clerk) and answer (回访); the
 * entry of 12345 hotline and letter complaints. */
import { tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { live } from "./lib/live.js";

const root = document.getElementById("complaints");
const hall = root.dataset.hall;
const state = { complaints: [], open: null };

async function load() {
  const q = new URLSearchParams();
  if ($("f-status").value) q.set("status", $("f-status").value);
  try {
    const res = await api("GET", paths.hallComplaints(hall, q));
    state.complaints = res.complaints || [];
  } catch (err) { sayError(err); return; }
  render();
}
const refresh = debounce(load, 300);

function who(p) { return p ? p.name + (p.badge ? " · " + p.badge : "") : "—"; }

function dueNodes(c) {
  let text = c.due_day || (c.calendar_missing ? tr("due_missing", { year: c.calendar_missing }) : "—");
  if (c.working_days_left !== null && c.working_days_left !== undefined) text += "（" + tr("days_left", { n: c.working_days_left }) + "）";
  const out = [h("span", { class: "num complaint-due", text: text })];
  if (c.urgency === "yellow" || c.urgency === "red") {
    out.push(h("span", { class: "urgency " + c.urgency, dataset: { urgency: c.urgency }, text: tr("urgency_" + c.urgency) }));
  }
  return out;
}

function render() {
  const body = $("complaints-body");
  body.textContent = "";
  state.complaints.forEach(function (c) {
    body.appendChild(h("tr", {
      class: "complaint-row urgency-" + c.urgency,
      dataset: { complaintCode: c.code, complaintNumber: c.number, urgency: c.urgency, status: c.status },
      onclick: function () { open(c.code); },
    },
      h("td", {}, h("a", { href: "#", class: "num", text: c.number, onclick: function (ev) { ev.preventDefault(); open(c.code); } })),
      h("td", { text: tr("source_" + c.source) }),
      h("td", { text: c.category_name }),
      h("td", { text: who(c.clerk) }),
      h("td", { text: c.window ? tr("window_n", { n: c.window.number }) : "—" }),
      h("td", {}, dueNodes(c)),
      h("td", { text: tr("status_" + c.status) + (c.verdict ? " · " + tr("verdict_" + c.verdict) : "") })));
  });
  $("complaints-empty").hidden = state.complaints.length > 0;
  $("complaints-count").textContent = state.complaints.length ? tr("complaints_n", { n: state.complaints.length }) : "";
}

function fact(dt, dd) { return [h("dt", { text: dt }), h("dd", { text: dd })]; }

function renderDetail(c) {
  state.open = c;
  $("complaint-detail").hidden = false;
  $("complaint-detail").dataset.code = c.code;
  $("cd-title").textContent = c.number + " · " + c.category_name;
  const facts = $("cd-facts");
  facts.textContent = "";
  [
    fact(tr("f_filed"), tr("source_" + c.source) + " · " + c.filed_at.slice(0, 16).replace("T", " ")),
    c.ticket ? fact(tr("f_ticket"), c.ticket.number + (c.service_name ? " · " + c.service_name : "")) : [],
    c.clerk ? fact(tr("f_clerk"), who(c.clerk)) : [],
    c.contact ? fact(tr("f_contact"), c.contact) : [],
    c.rating ? fact(tr("f_rating"), tr("level_n", { n: c.rating.level })) : [],
    c.verdict ? fact(tr("f_verdict"), tr("verdict_" + c.verdict) + (c.evidence && c.evidence.note ? "：" + c.evidence.note : "")) : [],
    c.corrective_action ? fact(tr("f_action"), c.corrective_action) : [],
    c.answer ? fact(tr("f_answer"), c.answer + (c.answered_day ? "（" + c.answered_day + "）" : "")) : [],
  ].forEach(function (pair) { pair.forEach(function (n) { facts.appendChild(n); }); });
  $("cd-text").textContent = c.text;
  const ev = $("cd-evidence");
  ev.textContent = "";
  const av = c.available_evidence || {};
  let any = false;
  ["events", "transfers", "notices", "audit"].forEach(function (kind) {
    (av[kind] || []).forEach(function (row) {
      any = true;
      const label = [row.at.slice(11, 19), row.type || kind, row.reason || row.note || "", row.by ? row.by.name : ""].filter(Boolean).join(" · ");
      ev.appendChild(h("label", { class: "evidence-row" },
        h("input", { type: "checkbox", dataset: { kind: kind, id: String(row.id) } }), " " + label));
    });
  });
  if (!any) ev.appendChild(h("p", { class: "muted", text: tr("no_evidence") }));
  $("verify-form").hidden = c.status !== "open";
  $("answer-form").hidden = c.status !== "verified";
}

async function open(code) {
  try { renderDetail(await api("GET", paths.complaint(code))); } catch (err) { sayError(err); }
}

$("verify-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const c = state.open;
  if (!c) return;
  const evidence = {};
  $("cd-evidence").querySelectorAll("input:checked").forEach(function (i) {
    (evidence[i.dataset.kind] = evidence[i.dataset.kind] || []).push(Number(i.dataset.id));
  });
  const body = { verdict: $("vf-verdict").value, note: $("vf-note").value.trim(), evidence: evidence };
  const action = $("vf-action").value.trim();
  if (action) body.corrective_action = action;
  if (body.verdict === "upheld" && c.clerk) {
    const decision = { decision: $("vf-decision").value };
    if (decision.decision === "deduct") decision.points = Number($("vf-points").value);
    body.decision = decision;
  }
  try {
    const res = await api("POST", paths.complaintAction(c.code, "verify"), body);
    say("ok", tr("verified_ok", { number: res.number }));
    renderDetail(res);
    load();
  } catch (err) { sayError(err); }
});

$("answer-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const c = state.open;
  if (!c) return;
  try {
    const res = await api("POST", paths.complaintAction(c.code, "answer"), { answer: $("af-answer").value.trim() });
    say("ok", tr("answered_ok", { number: res.number }));
    renderDetail(res);
    load();
  } catch (err) { sayError(err); }
});

$("enter-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const body = { source: $("ef-source").value, category: $("ef-category").value, text: $("ef-text").value.trim() };
  const ticket = $("ef-ticket").value.trim();
  const contact = $("ef-contact").value.trim();
  if (ticket) body.ticket = ticket;
  if (contact) body.contact = contact;
  try {
    const res = await api("POST", paths.hallComplaints(hall), body);
    say("ok", tr("entered_ok", { number: res.number }));
    $("enter-form").reset();
    load();
  } catch (err) { sayError(err); }
});

$("f-status").addEventListener("change", load);

(async function start() {
  await load();
  live({
    hall: hall,
    onSnapshot: function () { refresh(); },
    onEvent: function (env) {
      if (env.type === "complaint.filed" && env.data && env.data.complaint) {
        say("info", tr("new_toast", { number: env.data.complaint.number }));
      }
      if (env.type.indexOf("complaint.") === 0) refresh();
    },
  });
  // 廉政 follow-ups are never pushed: the list is fetched again now and then
  setInterval(function () { if (!document.hidden) load(); }, 60000);
})();
