/* hallq — 好差评 on the ticket holder's phone page: once the ticket is done (and was not rated at
 * the pad), offer the five levels for 24 hours; the two low levels ask for reasons. */
import { $ } from "./lib/dom.js";
import { api, errorText, paths } from "./lib/api.js";

const page = document.getElementById("ticket-page");
const box = $("phone-rating");
const ticketId = page.dataset.ticketId;
let level = null;

async function check() {
  if (page.dataset.status !== "done" || box.dataset.rated === "true") return;
  try {
    const offer = await api("GET", paths.rating(ticketId));
    box.hidden = !offer.may_rate;
    if (offer.rated) { box.dataset.rated = "true"; $("phone-rated").hidden = false; }
  } catch (e) { /* try again on the next change */ }
}

async function send(body) {
  $("pr-error").hidden = true;
  try {
    await api("POST", paths.rating(ticketId), body);
    box.hidden = true;
    box.dataset.rated = "true";
    $("phone-rated").hidden = false;
  } catch (e) {
    $("pr-error").textContent = errorText(e);
    $("pr-error").hidden = false;
    if (e.status === 409) box.hidden = true;
  }
}

$("pr-levels").addEventListener("click", function (ev) {
  const btn = ev.target.closest("[data-level]");
  if (!btn) return;
  level = Number(btn.dataset.level);
  if (level <= 2) $("pr-reasons").hidden = false;
  else send({ level: level });
});

$("pr-submit").addEventListener("click", function () {
  const reasons = Array.prototype.map.call(box.querySelectorAll(".pr-reason input:checked"), function (i) { return i.value; });
  const body = { level: level, reasons: reasons };
  const comment = $("pr-comment").value.trim();
  if (comment) body.comment = comment;
  send(body);
});

new MutationObserver(check).observe(page, { attributes: true, attributeFilter: ["data-status"] });
check();
