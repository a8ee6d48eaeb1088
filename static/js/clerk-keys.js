/* hallq — clerk console keyboard shortcuts (快捷键), configurable per clerk PC.
 *
 * Every action button of the action bar carries data-key="<action>"; the key bound to it is
 * shown on the button (a <kbd> hint, aria-keyshortcuts) and pressing it clicks the button when
 * the button is enabled. Shortcuts do nothing while the focus is in a text field or a dialog is
 * open (typing a pause reason never calls a number). The bindings live in localStorage of this
 * PC ("hallq.clerk.keys"); the settings dialog (#keys-dialog) changes them.
 */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { say } from "./lib/toast.js";

const STORE = "hallq.clerk.keys";

/** The defaults: function keys (they never type a character), the main path first. */
export const DEFAULT_KEYS = Object.freeze({
  call: "F1",
  recall: "F2",
  start: "F3",
  complete: "F4",
  completeNext: "F5",
  noShow: "F6",
  transfer: "F7",
  undo: "F8",
});

/** Keys a page may not (or should not) take: the browser keeps them or they move the focus. */
const RESERVED = new Set(["Tab", "Shift+Tab", "Enter", " ", "Space", "Escape", "F11", "F12", "Ctrl+W", "Ctrl+T", "Ctrl+N", "Ctrl+R"]);

let bindings = load();
const actions = {};   // action → { button?, run?, label }

function load() {
  const out = Object.assign({}, DEFAULT_KEYS);
  try {
    const saved = JSON.parse(window.localStorage.getItem(STORE) || "{}");
    Object.keys(out).forEach(function (a) { if (typeof saved[a] === "string") out[a] = saved[a]; });
  } catch (e) { /* a broken entry: the defaults */ }
  return out;
}

/** A keydown as the string it is stored as: "F1", "Alt+C", "Ctrl+Shift+K". */
export function comboOf(ev) {
  let key = ev.key;
  if (key === "Control" || key === "Shift" || key === "Alt" || key === "Meta") return "";
  if (key.length === 1) key = key === " " ? "Space" : key.toUpperCase();
  const printable = key.length === 1;
  return (ev.ctrlKey ? "Ctrl+" : "") + (ev.altKey ? "Alt+" : "") + (ev.metaKey ? "Meta+" : "")
    + (ev.shiftKey && !printable ? "Shift+" : "") + key;
}

/** Typing goes to text fields: shortcuts wait while the focus is in one. */
function inTextField(el) {
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  if (el.tagName !== "INPUT") return false;
  return ["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image"].indexOf(el.type) === -1;
}

function hint(action) { return bindings[action] || ""; }

/** Show each binding on its button (and to assistive technology). */
function paint() {
  Object.keys(actions).forEach(function (a) {
    const b = actions[a].button;
    if (!b) return;
    let kbd = b.querySelector("kbd.key-hint");
    if (!kbd) { kbd = h("kbd", { class: "key-hint", "aria-hidden": "true" }); b.appendChild(kbd); }
    kbd.textContent = hint(a);
    kbd.hidden = !hint(a);
    if (hint(a)) b.setAttribute("aria-keyshortcuts", hint(a).replace("Ctrl", "Control"));
    else b.removeAttribute("aria-keyshortcuts");
  });
}

function onKey(ev) {
  if (ev.defaultPrevented || ev.isComposing || inTextField(ev.target)) return;
  if (document.querySelector("dialog[open]")) return;
  const combo = comboOf(ev);
  if (!combo) return;
  const action = Object.keys(bindings).find(function (a) { return bindings[a] === combo && actions[a]; });
  if (!action) return;
  ev.preventDefault();   // F5 must not reload the console, F1 not open help
  const act = actions[action];
  if (act.button) { if (!act.button.disabled) act.button.click(); }
  else if (act.run) act.run();
}

// ── the settings dialog ────────────────────────────────────
function renderDialog(draft) {
  const grid = $("keys-grid");
  grid.textContent = "";
  Object.keys(DEFAULT_KEYS).forEach(function (a) {
    if (!actions[a]) return;
    const id = "key-" + a;
    const input = h("input", {
      class: "input key-input num", id: id, readonly: true, value: draft[a] || "",
      placeholder: tr("keys_none"), "aria-describedby": "keys-help-" + a, dataset: { action: a },
    });
    input.addEventListener("keydown", function (ev) {
      // leave the field (Tab), the dialog (Escape) or save (Enter) as usual
      if (ev.key === "Tab" || ev.key === "Escape" || ev.key === "Enter") return;
      ev.preventDefault();
      if (ev.key === "Backspace" || ev.key === "Delete") { draft[a] = ""; input.value = ""; return; }
      const combo = comboOf(ev);
      if (!combo) return;
      draft[a] = combo;
      input.value = combo;
    });
    grid.appendChild(h("label", { class: "key-row", for: id },
      h("span", { class: "key-label", text: actions[a].label })));
    grid.appendChild(input);
    grid.appendChild(h("span", { class: "muted key-default", id: "keys-help-" + a, text: DEFAULT_KEYS[a] }));
  });
}

function check(draft) {
  const seen = {};
  for (const a of Object.keys(draft)) {
    const k = draft[a];
    if (!k) continue;
    if (RESERVED.has(k)) return tr("keys_reserved", { key: k });
    if (seen[k]) return tr("keys_duplicate", { key: k, a: actions[seen[k]].label, b: actions[a].label });
    seen[k] = a;
  }
  return "";
}

function openDialog() {
  const draft = Object.assign({}, bindings);
  const dlg = $("keys-dialog");
  dlg._draft = draft;
  $("keys-error").hidden = true;
  renderDialog(draft);
  dlg.showModal();
  const first = dlg.querySelector(".key-input");
  if (first) first.focus();
}

/**
 * Wire the shortcuts: `defs` maps an action to { button } (clicked when enabled) or { run }, and
 * a `label` for the settings dialog (the button's text by default).
 */
export function initKeys(defs) {
  Object.keys(defs).forEach(function (a) {
    const d = defs[a];
    actions[a] = {
      button: d.button || null,
      run: d.run || null,
      label: d.label || (d.button ? d.button.textContent.trim() : a),
    };
  });
  paint();
  document.addEventListener("keydown", onKey);
  $("btn-keys").addEventListener("click", openDialog);
  $("keys-reset").addEventListener("click", function () {
    const dlg = $("keys-dialog");
    dlg._draft = Object.assign({}, DEFAULT_KEYS);
    renderDialog(dlg._draft);
  });
  $("keys-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    const dlg = $("keys-dialog");
    const draft = dlg._draft;
    const problem = check(draft);
    $("keys-error").textContent = problem;
    $("keys-error").hidden = !problem;
    if (problem) return;
    bindings = draft;
    try { window.localStorage.setItem(STORE, JSON.stringify(bindings)); } catch (e) { /* private mode: this session only */ }
    paint();
    dlg.close();
    say("ok", tr("keys_saved"));
    $("btn-keys").focus();
  });
}

/** The key bound to an action ("" when none), e.g. for the undo toast's hint. */
export function keyOf(action) { return hint(action); }

