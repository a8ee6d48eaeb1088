/* hallq — a page the kiosk opened (the complaint form and its follow-up page) goes back to the
 * kiosk's start screen when nobody touches it: after the kiosk's own warning, never at once, and
 * any touch gives the whole time again (lib/kiosk-idle.js). The next citizen must not find this
 * one's complaint on the screen. */
import { idleGuard } from "./lib/kiosk-idle.js";

const el = document.getElementById("kiosk-return");
if (el) {
  const guard = idleGuard({ onTimeout: function () { window.location.assign(el.dataset.href); } });
  guard.arm(Number(el.dataset.seconds) || 60);
}
