/* hallq — DOM helpers: element lookup and creation, select filling, debouncing, small device calls. */
import { tr } from "./i18n.js";

/** The element with this id. */
export function $(id) {
  return document.getElementById(id);
}

/** Shorthand for creating an element: h("div", {class: "x"}, child, "text"). */
export function h(tag, attrs) {
  const node = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (k) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on" && typeof v === "function") node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      // through the CSSOM: the Content-Security-Policy refuses style="…" attributes
      else if (k === "style") node.style.cssText = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
  }
  for (let i = 2; i < arguments.length; i++) {
    const c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) c.forEach(function (x) { if (x) node.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
    else node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return node;
}

/** A close button (×) that removes `el` when clicked. */
export function closeButton(el) {
  return h("button", { type: "button", class: "close", "aria-label": "×", text: "×", onclick: function () { el.remove(); } });
}

/** "3号窗口" as nodes with the number in <b> — the word order follows the language. */
export function windowNodes(n) {
  const parts = tr("window_n").split("{n}");
  const out = [];
  if (parts[0].trim()) out.push(h("span", { class: "unit", text: parts[0].trim() }));
  out.push(h("b", { class: "num", text: String(n) }));
  if (parts.length > 1 && parts[1].trim()) out.push(h("span", { class: "unit", text: parts[1].trim() }));
  return out;
}

/** A select's options: [{value, text}] (keeps the selection when it still exists). */
export function fillSelect(select, options, keep) {
  const before = keep === undefined ? select.value : keep;
  const sig = JSON.stringify(options);
  if (select.dataset.sig === sig) {
    // the same choices: leave the list alone (an open dropdown stays open)
    if (keep !== undefined && options.some(function (o) { return String(o.value) === String(keep); })) select.value = keep;
    return;
  }
  select.dataset.sig = sig;
  select.textContent = "";
  options.forEach(function (o) {
    select.appendChild(h("option", { value: o.value, text: o.text, disabled: o.disabled ? true : null }));
  });
  if (options.some(function (o) { return String(o.value) === String(before); })) select.value = before;
}

/** Calls fn at most once per `ms`, trailing — for refreshes triggered by bursts of events. */
export function debounce(fn, ms) {
  let timer = null;
  return function () {
    const args = arguments;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; fn.apply(null, args); }, ms);
  };
}

/** Restarts a CSS animation class on `el` (a repeated call flashes again). */
export function replay(el, cls) {
  el.classList.remove(cls);
  void el.offsetWidth;
  el.classList.add(cls);
}

/** Asks the browser to keep the screen on (boards and kiosks run for days). */
export function keepAwake() {
  try { if (navigator.wakeLock) navigator.wakeLock.request("screen").catch(function () {}); } catch (e) { /* ignore */ }
}

/** Vibrates a phone in this pattern, where it can. */
export function vibrate(pattern) {
  try { if (navigator.vibrate) navigator.vibrate(pattern); } catch (e) { /* ignore */ }
}
