/* hallq — what the appraisal pages share: their API paths, a score's lines as table rows, a
 * record's words. */
import { tr } from "./i18n.js";
import { h } from "./dom.js";

const V1 = "/api/v1";
const enc = encodeURIComponent;

export const appraisalPaths = {
  scores: (hall, month, by) => V1 + "/halls/" + enc(hall) + "/appraisal?month=" + enc(month) + (by ? "&by=" + enc(by) : ""),
  rules: (hall) => V1 + "/halls/" + enc(hall) + "/appraisal/rules",
  records: (hall, query) => V1 + "/halls/" + enc(hall) + "/appraisal/records" + (query ? "?" + query.toString() : ""),
  answer: (id) => V1 + "/appraisal/records/" + id + "/answer",
};

/** This month (YYYY-MM) in the hall's timezone. */
export function thisMonth(timeZone) {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone, year: "numeric", month: "2-digit" }).format(new Date()).slice(0, 7);
  } catch (e) {
    return new Date().toISOString().slice(0, 7);
  }
}

/** The first and last day of a month YYYY-MM. */
export function monthRange(month) {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [month + "-01", month + "-" + String(last).padStart(2, "0")];
}

export function factorName(key) { return tr("factor_" + key); }

export function points(n) {
  const text = (n > 0 ? "+" : "") + (Math.round(n * 100) / 100);
  return h("span", { class: n > 0 ? "pts-plus" : n < 0 ? "pts-minus" : "", text: text });
}

/** A score's lines (factor, records, detail, points) into a table body. */
export function fillLines(tbody, lines) {
  tbody.textContent = "";
  if (!lines.length) {
    tbody.appendChild(h("tr", {}, h("td", { colspan: "4", class: "muted", text: tr("ap_no_lines") })));
    return;
  }
  lines.forEach(function (l) {
    tbody.appendChild(h("tr", {},
      h("td", { text: factorName(l.factor) }),
      h("td", { class: "ap-refs", text: l.refs.join("、") }),
      h("td", { text: l.detail || "" }),
      h("td", { class: "num" }, points(l.points), l.capped ? h("span", { class: "capped", text: tr("ap_capped") }) : null)));
  });
}

/** Which rules scored the month, and up to which day. */
export function rulesNote(r) {
  const which = r.rules.effective_from ? tr("ap_rules_from", { date: r.rules.effective_from }) : tr("ap_rules_default");
  return which + (r.as_of ? " · " + tr("ap_as_of", { date: r.as_of }) : "");
}

export function decisionText(rec) {
  return tr("decision_" + rec.decision) + (rec.decision === "deduct" ? " " + tr("ap_points_n", { n: rec.points }) : "");
}

export function kindText(rec) { return tr("kind_" + rec.kind); }
