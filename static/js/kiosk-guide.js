/* hallq — kiosk service guide (办事指南): browse or search services, read a guide, print it, take a number.
 * Plain ES2017 over the public JSON API; strings come translated from the page. */
import { localName, localText, tr } from "./lib/i18n.js";
import { $, debounce, h } from "./lib/dom.js";
import { api, errorText, paths } from "./lib/api.js";
import { deviceToken, storedDeviceToken } from "./lib/device.js";
import { pages } from "./lib/links.js";
import { fitScreen, idleGuard, largeText } from "./lib/kiosk-idle.js";

const root = document.getElementById("guide");
const hall = root.dataset.hall;
const english = root.dataset.lang === "en";
const enquiriesCode = root.dataset.enquiries;
// Back to the start when nobody touches the screen: the next citizen finds a clean page.
const IDLE_S = 120;
const SEARCH_DELAY_MS = 150;

const input = $("q");

// The kiosk's device token: `?token=` is remembered for the ticket screen. When the browser
// cannot store it, links back to the ticket screen carry it instead.
const token = deviceToken("kiosk", hall);
const tokenStored = !!token && storedDeviceToken("kiosk", hall) === token;

let info = null;        // GET /api/v1/halls/<hall>: categories and services
let current = null;     // the guide on screen
let searchSeq = 0;      // answers to older keystrokes are dropped

function kioskUrl(serviceCode) {
  const params = new URLSearchParams();
  if (serviceCode) params.set("service", serviceCode);
  if (token && !tokenStored) params.set("token", token);
  const qs = params.toString();
  return pages.kiosk(hall) + (qs ? "?" + qs : "");
}

// ── screens ────────────────────────────────────────────────
function fit() { fitScreen(root); }
window.addEventListener("resize", debounce(fit, 150));

function announce(text) {
  const el = $("kiosk-status");
  el.textContent = "";
  window.setTimeout(function () { el.textContent = text; }, 50);
}

/** Opens a screen and moves the focus to its heading (the search field keeps it when it has it). */
function show(name, opts) {
  $("screen-find").hidden = name !== "find";
  $("screen-guide").hidden = name !== "guide";
  root.dataset.screen = name;
  window.scrollTo(0, 0);
  armIdle();
  fit();
  if (!opts || opts.focus !== false) $(name === "guide" ? "g-name" : "find-title").focus({ preventScroll: true });
}

// Back to the start when nobody touches the screen (the next citizen finds a clean page) —
// after a warning, and only when there is something to clear.
const idle = idleGuard({ onTimeout: reset });
function armIdle() {
  const dirty = root.dataset.screen === "guide" || !!input.value || !$("keyboard").hidden || (large && large.on);
  if (dirty) idle.arm(IDLE_S); else idle.disarm();
}

const large = largeText(root, function (on) {
  announce(tr(on ? "large_on" : "large_off"));
  armIdle();
  fit();
});

function reset() {
  input.value = "";
  current = null;
  if (large.on) large.set(false);
  showKeyboard(false);
  renderQuery();
  show("find");
}

// ── browse by category ─────────────────────────────────────
function categoryKey(c) { return typeof c === "string" ? c : (c && c.name) || ""; }

function serviceTile(svc, extra) {
  return h("button", {
    type: "button", class: "g-tile", dataset: { service: svc.code },
    onclick: function () { openGuide(svc.code); },
  },
  h("span", { class: "letter", text: svc.prefix || svc.code }),
  h("span", { class: "g-tile-body" },
    h("span", { class: "g-tile-name", text: localName(svc) }),
    extra ? h("span", { class: "g-tile-meta" }, extra) : null),
  h("span", { class: "g-tile-go", "aria-hidden": "true", text: "›" }));
}

function renderBrowse() {
  const box = $("browse");
  box.textContent = "";
  const services = (info.services || []);
  (info.categories || []).forEach(function (c, i) {
    const key = categoryKey(c);
    const svcs = services.filter(function (s) { return s.category === key; });
    if (!svcs.length) return;
    const named = svcs.find(function (s) { return s.category_en; });
    box.appendChild(h("section", { class: "g-category c" + (i % 6) },
      h("h3", {}, h("span", { text: english && named ? named.category_en : key }), h("small", { text: tr("n_services", { n: svcs.length }) })),
      h("div", { class: "g-tiles" }, svcs.map(function (s) { return serviceTile(s); }))));
  });
  const enquiries = services.find(function (s) { return s.code === enquiriesCode; }) ||
    services.find(function (s) { return /咨询/.test(s.name); });
  const ns = $("not-sure");
  if (enquiries) {
    ns.hidden = false;
    ns.onclick = function (ev) { ev.preventDefault(); openGuide(enquiries.code); };
  }
}

// ── search ─────────────────────────────────────────────────
const MATCH_LABEL = { name: "match_name", keyword: "match_keyword", material: "match_material", pinyin: "match_pinyin" };

function renderQuery() {
  const q = input.value.trim();
  $("btn-clear").hidden = !input.value;
  $("results").hidden = !q;
  document.body.dataset.searching = q ? "1" : "";
  armIdle();
  fit();
  if (!q) return;
  runSearch(q);
}
const debouncedQuery = debounce(renderQuery, SEARCH_DELAY_MS);

async function runSearch(q) {
  const seq = ++searchSeq;
  let res;
  try {
    res = await api("GET", paths.guideSearch(hall, q));
  } catch (err) {
    if (seq !== searchSeq) return;
    $("results-head").textContent = tr("search_failed") + " — " + errorText(err);
    $("result-list").textContent = "";
    return;
  }
  if (seq !== searchSeq) return;
  const list = $("result-list");
  list.textContent = "";
  const results = res.results || [];
  root.dataset.results = String(results.length);
  if (!results.length) {
    $("results-head").textContent = "";
    list.appendChild(h("div", { class: "no-results" },
      h("p", { class: "nr-main", text: tr("no_results", { q: q }) }),
      h("p", { class: "nr-hint", text: tr("no_results_hint") })));
    return;
  }
  $("results-head").textContent = tr("n_results", { n: results.length });
  results.forEach(function (r) {
    const why = h("span", { class: "why" },
      h("span", { class: "why-kind", text: tr(MATCH_LABEL[r.match] || "match_keyword") }),
      r.matched && r.matched !== r.name ? h("b", { text: r.matched }) : null);
    list.appendChild(serviceTile(r, [h("span", { class: "cat", text: localText(r, "category") }), why]));
  });
  fit();
}

// ── the on-screen keyboard (pinyin initials; Chinese comes from the system's input method) ─
function showKeyboard(on) {
  $("keyboard").hidden = !on;
  $("btn-keyboard").setAttribute("aria-expanded", on ? "true" : "false");
  $("btn-keyboard").classList.toggle("on", on);
  $("find-work").classList.toggle("kb-open", on);
  if (root.dataset.screen) { armIdle(); fit(); }
}

$("keyboard").addEventListener("click", function (ev) {
  const key = ev.target.closest("[data-key]");
  if (!key) return;
  const k = key.dataset.key;
  if (k === "done") { showKeyboard(false); return; }
  if (k === "back") input.value = input.value.slice(0, -1);
  else if (k === "clear") input.value = "";
  else if (k === "space") input.value += " ";
  else if (input.value.length < 50) input.value += k;
  debouncedQuery();
});
// Keep the system keyboard from popping up over ours while it is open.
$("keyboard").addEventListener("mousedown", function (ev) { ev.preventDefault(); });

$("btn-keyboard").addEventListener("click", function () { showKeyboard($("keyboard").hidden); });
input.addEventListener("input", debouncedQuery);
input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); renderQuery(); } });
$("btn-clear").addEventListener("click", function () { input.value = ""; renderQuery(); input.focus(); });
document.querySelectorAll("#hot [data-q]").forEach(function (b) {
  b.addEventListener("click", function () { input.value = b.dataset.q; renderQuery(); });
});

// ── one guide ──────────────────────────────────────────────
function days(n) {
  if (n === null || n === undefined) return tr("not_set");
  if (n === 0) return tr("on_the_spot");
  return tr("days_n", { n: n });
}

function formText(m) {
  const form = tr("form_" + m.form);
  const count = m.form === "original_and_copy" ? tr("copies_each_n", { n: m.copies }) : tr("copies_n", { n: m.copies });
  return { form: form, count: count };
}

function windowsText(g) {
  if (!g.windows || !g.windows.length) return tr("no_windows");
  return g.windows.map(function (w) { return tr("window_n", { n: w.number }); }).join(english ? ", " : "、");
}

/** The guide's steps in the page language (its English list where it has one). */
function guideSteps(g) {
  return english && g.steps_en && g.steps_en.length ? g.steps_en : g.steps;
}

function renderGuide(data) {
  const svc = data.service;
  const g = data.guide;
  current = data;
  root.dataset.guide = svc.code;
  $("g-letter").textContent = svc.prefix || svc.code;
  $("g-name").textContent = localName(svc);
  $("g-sub").textContent = localText(svc, "category") + (english || !svc.name_en ? "" : " · " + svc.name_en);
  $("g-missing").hidden = !!data.has_guide;
  $("g-missing").textContent = data.has_guide ? "" : tr("no_guide");

  const list = $("g-materials");
  list.textContent = "";
  $("g-material-count").textContent = g.materials.length ? tr("materials_n", { n: g.materials.length }) : "";
  if (!g.materials.length) list.appendChild(h("li", { class: "empty", text: tr("no_materials") }));
  g.materials.forEach(function (m) {
    const f = formText(m);
    list.appendChild(h("li", { class: "material" + (m.required ? " required" : " optional"), dataset: { material: m.id } },
      h("div", { class: "m-main" },
        h("span", { class: "m-name", text: localName(m) }),
        h("span", { class: "m-tags" },
          h("span", { class: "tag form-" + m.form, text: f.form }),
          h("span", { class: "tag count", text: f.count }),
          h("span", { class: "tag " + (m.required ? "req" : "opt"), text: tr(m.required ? "required" : "optional") }))),
      localText(m, "notes") ? h("p", { class: "m-notes", text: localText(m, "notes") }) : null));
  });

  $("g-windows").textContent = windowsText(g);
  $("g-promised").textContent = days(g.promised_limit_days);
  $("g-legal").textContent = days(g.legal_limit_days);
  $("g-fees").textContent = localText(g, "fees") || tr("not_set");
  $("g-basis").textContent = localText(g, "legal_basis") || tr("not_set");
  const steps = $("g-steps");
  steps.textContent = "";
  guideSteps(g).forEach(function (s) { steps.appendChild(h("li", { text: s })); });
  $("g-steps").parentElement.hidden = !g.steps.length;
  $("btn-take").href = kioskUrl(svc.code);
  renderPrint(data);
  show("guide");
}

function renderPrint(data) {
  const g = data.guide;
  $("p-name").textContent = localName(data.service);
  const body = $("p-materials");
  body.textContent = "";
  g.materials.forEach(function (m, i) {
    const f = formText(m);
    body.appendChild(h("tr", {},
      h("td", { class: "num", text: String(i + 1) }),
      h("td", {}, h("b", { text: localName(m) }), localText(m, "notes") ? h("div", { class: "p-note", text: localText(m, "notes") }) : null),
      h("td", { text: f.form + " " + f.count }),
      h("td", { text: tr(m.required ? "required" : "optional") })));
  });
  const steps = $("p-steps");
  steps.textContent = "";
  guideSteps(g).forEach(function (s) { steps.appendChild(h("li", { text: s })); });
  $("p-windows").textContent = windowsText(g);
  $("p-promised").textContent = days(g.promised_limit_days);
  $("p-legal").textContent = days(g.legal_limit_days);
  $("p-fees").textContent = localText(g, "fees") || tr("not_set");
  $("p-basis").textContent = localText(g, "legal_basis") || tr("not_set");
}

async function openGuide(code) {
  showKeyboard(false);
  try {
    const data = await api("GET", paths.guide(hall, code));
    renderGuide(data);
  } catch (err) {
    $("results").hidden = false;
    $("results-head").textContent = tr("load_failed") + " — " + errorText(err);
  }
}

$("btn-back").addEventListener("click", function () { current = null; show("find"); });
$("btn-print").addEventListener("click", function () {
  const now = new Date();
  $("p-time").textContent = tr("printed_at", { t: now.toLocaleString(english ? "en-GB" : "zh-CN", { hour12: false }) });
  window.print();
});
$("to-kiosk").href = kioskUrl(null);

document.addEventListener("contextmenu", function (ev) { ev.preventDefault(); });

// ── start ──────────────────────────────────────────────────
async function load() {
  try {
    info = await api("GET", paths.hall(hall));
  } catch (err) {
    $("browse").textContent = "";
    $("browse").appendChild(h("p", { class: "loading error", text: tr("load_failed") + " — " + errorText(err) }));
    return;
  }
  renderBrowse();
  fit();
  root.dataset.ready = "1";
  if (root.dataset.service) openGuide(root.dataset.service);
}
show("find", { focus: false });
load();
