/* hallq — a citizen files a complaint (/complaints/new) without an account, then goes to the
 * follow-up page its code opens. */
import { tr } from "./lib/i18n.js";
import { $ } from "./lib/dom.js";
import { api, errorText, paths } from "./lib/api.js";

const root = document.getElementById("complaint-new");
const form = $("complaint-form");

form.addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const err = $("cf-error");
  err.hidden = true;
  const text = $("cf-text").value.trim();
  if (!text) {
    err.textContent = tr("need_text");
    err.hidden = false;
    return;
  }
  const body = { hall: root.dataset.hall, category: $("cf-category").value, text: text, source: root.dataset.source };
  const ticket = $("cf-ticket").value.trim();
  const contact = $("cf-contact").value.trim();
  if (ticket) body.ticket = ticket;
  if (contact) body.contact = contact;
  $("cf-submit").disabled = true;
  try {
    const made = await api("POST", paths.complaints(), body);
    // at the kiosk the next citizen must not find this one's page: show the number, then go back
    if (root.dataset.source === "kiosk") {
      window.location.assign("/complaints/" + encodeURIComponent(made.code) + "?from=kiosk");
    } else {
      window.location.assign("/complaints/" + encodeURIComponent(made.code));
    }
  } catch (e) {
    err.textContent = errorText(e);
    err.hidden = false;
    $("cf-submit").disabled = false;
  }
});
