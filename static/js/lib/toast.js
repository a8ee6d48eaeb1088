/* hallq — toasts in the page's #messages box: ok / info / error. */
import { h, closeButton } from "./dom.js";
import { errorText } from "./api.js";

const LIFETIME_MS = 6000;
const KEEP = 3;

/** A toast. Errors stay until closed, unless `ms` says how long (an alarm toast: the banner
 *  keeps the alarm on screen); the others go after a few seconds. */
export function say(kind, text, ms) {
  const box = document.getElementById("messages");
  if (!box) return;
  const el = h("div", { class: "alert " + kind, role: kind === "error" ? "alert" : "status" }, h("span", { text: text }));
  el.appendChild(closeButton(el));
  box.appendChild(el);
  while (box.children.length > KEEP) box.firstChild.remove();
  if (kind !== "error" || ms) setTimeout(function () { el.remove(); }, ms || LIFETIME_MS);
}

/** An API error as a toast: the server's message (error.message), in the page language. */
export function sayError(err) {
  say("error", err && err.status ? err.message : errorText(err));
}
