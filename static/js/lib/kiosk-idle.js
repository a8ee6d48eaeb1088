/* hallq — the kiosk's idle guard (适老化: no time pressure).
 *
 * A screen that returns to the start by itself does so only after nobody touched the kiosk for
 * its whole idle time, and never without warning: the last `warnS` seconds show a dialog
 * ("即将返回首页", templates/kiosk/_idle.html) with 继续 and a visible count. Any touch, click,
 * key or scroll anywhere restarts the time. Nothing here is a live region: the dialog is
 * announced once when it opens (role="alertdialog"), the seconds are never re-announced.
 *
 *   const guard = idleGuard({ onTimeout: goHome, onTick: function (left) { … } });
 *   guard.arm(60);   // this screen returns after 60 s without a touch
 *   guard.disarm();  // this screen stays (the start screen)
 */
import { $ } from "./dom.js";

export const WARN_S = 10;

export function idleGuard(opts) {
  const warnS = opts.warnS || WARN_S;
  const overlay = $("overlay-idle");
  const count = $("idle-count");
  let seconds = 0;       // the armed idle time, 0 when disarmed
  let deadline = 0;      // Date.now() when the screen returns
  let ticker = null;
  let warned = false;
  let focusBefore = null;

  function left() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function hideWarning(restoreFocus) {
    if (!warned) return;
    warned = false;
    overlay.hidden = true;
    document.body.dataset.idleWarning = "";
    if (restoreFocus && focusBefore && document.contains(focusBefore) && typeof focusBefore.focus === "function") {
      focusBefore.focus();
    }
    focusBefore = null;
  }

  function showWarning() {
    warned = true;
    focusBefore = document.activeElement;
    overlay.hidden = false;
    document.body.dataset.idleWarning = "1";
    if (opts.onWarn) opts.onWarn();
    $("btn-idle-stay").focus();
  }

  function tick() {
    const n = left();
    if (opts.onTick) opts.onTick(n);
    if (n <= 0) {
      disarm();
      opts.onTimeout();
      return;
    }
    if (n <= warnS && !warned) showWarning();
    if (warned) count.textContent = String(n);
  }

  function arm(s) {
    seconds = s;
    deadline = Date.now() + s * 1000;
    hideWarning(false);
    if (!ticker) ticker = setInterval(tick, 1000);
    if (opts.onTick) opts.onTick(left());
  }

  function disarm() {
    seconds = 0;
    if (ticker) { clearInterval(ticker); ticker = null; }
    hideWarning(false);
  }

  /** The citizen is still here: the whole idle time again (and the warning closes). */
  function poke() {
    if (!seconds) return;
    const wasWarned = warned;
    deadline = Date.now() + seconds * 1000;
    hideWarning(wasWarned);
    if (opts.onTick) opts.onTick(left());
  }

  $("btn-idle-stay").addEventListener("click", poke);
  $("btn-idle-home").addEventListener("click", function () { disarm(); opts.onTimeout(); });
  // capture: a touch counts even where a handler stops it. The dialog's own buttons decide for
  // themselves (closing it on their pointerdown would lose their click); a touch beside it counts.
  function activity(ev) {
    const t = ev.target;
    if (warned && t && t.closest && t.closest("#overlay-idle .overlay-box")) return;
    poke();
  }
  ["pointerdown", "keydown", "wheel", "touchstart", "input"].forEach(function (type) {
    document.addEventListener(type, activity, { capture: true, passive: true });
  });

  return {
    arm: arm,
    disarm: disarm,
    poke: poke,
    left: left,
    get armed() { return !!seconds; },
    get warning() { return warned; },
  };
}

/** 大字模式: on for one citizen (this browser tab) until their session ends. */
const LARGE_KEY = "hallq:kiosk:large";
export function largeText(root, onChange) {
  const btn = $("btn-large");
  function set(on) {
    root.dataset.large = on ? "1" : "";
    document.documentElement.classList.toggle("kiosk-large", on);
    if (btn) btn.setAttribute("aria-pressed", on ? "true" : "false");
    try {
      if (on) window.sessionStorage.setItem(LARGE_KEY, "1");
      else window.sessionStorage.removeItem(LARGE_KEY);
    } catch (e) { /* a kiosk without storage keeps it for this page only */ }
    if (onChange) onChange(on);
  }
  let stored = false;
  try { stored = window.sessionStorage.getItem(LARGE_KEY) === "1"; } catch (e) { stored = false; }
  if (btn) btn.addEventListener("click", function () { set(root.dataset.large !== "1"); });
  root.dataset.large = stored ? "1" : "";
  document.documentElement.classList.toggle("kiosk-large", stored);
  if (btn) btn.setAttribute("aria-pressed", stored ? "true" : "false");
  return {
    set: set,
    get on() { return root.dataset.large === "1"; },
  };
}

/**
 * Fits the screen without scrolling: the page steps down through `data-density` levels
 * (kiosk.css hides secondary lines and tightens spacing at each) until nothing overflows.
 */
export function fitScreen(root) {
  const de = document.documentElement;
  function over() {
    return de.scrollHeight > window.innerHeight + 1 || de.scrollWidth > window.innerWidth + 1;
  }
  root.dataset.density = "0";
  for (let d = 1; d <= 3 && over(); d++) root.dataset.density = String(d);
}
