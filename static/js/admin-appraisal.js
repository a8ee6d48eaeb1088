/* hallq — the appraisal rules (/admin/appraisal): the version in force and the earlier ones from
 * GET /api/v1/halls/<hall>/appraisal/rules; a new version (weights and caps per factor) from a
 * month's first day through POST of the same path. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { appraisalPaths, factorName, thisMonth } from "./lib/appraisal.js";

const root = $("admin");
const hall = root.dataset.hall;
let factors = [];

function fill(rules) {
  $("rules-base").value = rules.base;
  $("rules-grace").value = rules.late_grace_minutes;
  $("rules-limit").value = rules.service_limit_minutes;
  const body = $("rules-factors");
  body.textContent = "";
  factors.forEach(function (f) {
    const spec = rules.factors[f.key];
    body.appendChild(h("tr", {},
      h("td", { text: factorName(f.key) + (f.clerk_only ? "（" + tr("ap_clerk_only") + "）" : "") }),
      h("td", { text: tr(f.positive ? "ap_plus" : "ap_minus") }),
      h("td", {}, h("input", { class: "input", type: "number", min: "0", max: "1000", step: "any", required: true, "data-factor": f.key, "data-part": "weight", value: String(spec.weight), "aria-label": factorName(f.key) })),
      h("td", {}, h("input", { class: "input", type: "number", min: "0", max: "1000", step: "any", required: true, "data-factor": f.key, "data-part": "cap", value: String(spec.cap), "aria-label": factorName(f.key) }))));
  });
}

function show(r) {
  factors = r.factors;
  $("rules-in-force").textContent = r.in_force.effective_from
    ? tr("ap_in_force", { date: r.in_force.effective_from }) : tr("ap_in_force_default");
  fill(r.in_force.rules);
  const list = $("rules-versions");
  list.textContent = "";
  r.versions.forEach(function (v) {
    list.appendChild(h("li", {},
      h("b", { text: v.effective_from }),
      h("span", { class: "muted", text: tr("ap_by", { who: v.created_by ? v.created_by.name : "—", at: v.created_at.slice(0, 16).replace("T", " ") }) }),
      h("button", { class: "btn ghost small", type: "button", text: "↺", "aria-label": v.effective_from, onclick: function () { fill(v.rules); } })));
  });
}

$("rules-form").addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const doc = {
    base: Number($("rules-base").value),
    late_grace_minutes: Number($("rules-grace").value),
    service_limit_minutes: Number($("rules-limit").value),
    factors: {},
  };
  document.querySelectorAll("#rules-factors input").forEach(function (input) {
    const f = input.dataset.factor;
    doc.factors[f] = doc.factors[f] || {};
    doc.factors[f][input.dataset.part] = Number(input.value);
  });
  const effective = $("rules-month").value + "-01";
  try {
    show(await api("POST", appraisalPaths.rules(hall), { effective_from: effective, rules: doc }));
    say("ok", tr("ap_saved", { date: effective }));
  } catch (err) { sayError(err); }
});

async function start() {
  const snap = await api("GET", paths.snapshot(hall)).catch(function () { return null; });
  $("rules-month").value = thisMonth(snap ? snap.hall.timezone : undefined);
  try { show(await api("GET", appraisalPaths.rules(hall))); } catch (err) { sayError(err); }
}

start();
