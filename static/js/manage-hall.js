/* hallq — the manager's live hall console (实时调度): windows as a map, the service queues, the
 * alarm of unstaffed windows (AB岗制度) and the re-routing actions.
 *
 * State comes from the live snapshot and the events after it (live.js); the waiting tickets
 * (for "longest wait") from GET /api/v1/windows/<id>, kept current by the ticket events.
 * Actions go through the JSON API with the session cookie + X-CSRFToken (common.js); every
 * action that moves citizens asks first (lib/dialogs.js). */
import { statusLabel, tr } from "./lib/i18n.js";
import { $, debounce, fillSelect, h, windowNodes } from "./lib/dom.js";
import { clock, shortTime } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { confirmDialog, formDialog } from "./lib/dialogs.js";
import { live } from "./lib/live.js";
import { WaitingCounts } from "./lib/waiting.js";

const root = document.getElementById("hall-console");
const hall = root.dataset.hall;
const ACTIVE = ["called", "serving"];

const state = {
  timezone: undefined,
  windows: new Map(),   // id → window view (number, status, services, clerk, current, posts, cover)
  services: [],         // the hall's active services, in kiosk order
  waiting: new WaitingCounts(),   // service code → waiting count
  tickets: new Map(),   // waiting ticket id → {id, number, service, queued_at}
  gone: new Set(),      // tickets that left the queue while the waiting lists were being read
  alarms: new Map(),    // window id → alarm data
  unserved: [],         // waiting citizens no window can serve now (server: domain/routing.py)
  est: new Map(),       // service code → {estimated_wait_s, served} (server: the hall's plan)
  clerks: [],           // the hall's active clerks (for the A/B posts)
  ready: false,
};

// ── lookups ─────────────────────────────────────────────────
function windowsInOrder() {
  return Array.from(state.windows.values()).sort(function (a, b) { return a.number - b.number; });
}
function service(code) {
  return state.services.find(function (s) { return s.code === code; }) || { code: code, prefix: code, name: code };
}
function serviceName(code) { return service(code).name; }
function servingWindows(code) {
  return windowsInOrder().filter(function (w) { return w.services.indexOf(code) !== -1; });
}
/** Someone calls this window's queue: it is open, or its B post covers it from another window. */
function staffed(w) { return w.status === "open" || !!w.cover; }
function windowWaiting(w) {
  return state.waiting.sum(w.services);
}
/** Citizens only this window would call: its services no other open window serves (the alarm's count, live). */
function strandedWaiting(w) {
  return w.services.reduce(function (n, code) {
    const elsewhere = servingWindows(code).some(function (x) { return x.id !== w.id && x.status === "open"; });
    return n + (elsewhere ? 0 : state.waiting.of(code));
  }, 0);
}
/** Citizens of a service no window can serve now (routing truth, from the server). */
function unservedOf(code) {
  return state.unserved.reduce(function (n, u) { return n + (u.service === code ? u.waiting : 0); }, 0);
}
function codesText(codes) {
  return codes.length ? codes.join("、") : tr("services_none");
}
function longestMinutes(code) {
  let oldest = null;
  state.tickets.forEach(function (t) {
    if (t.service !== code) return;
    const at = Date.parse(t.queued_at);
    if (!isNaN(at) && (oldest === null || at < oldest)) oldest = at;
  });
  return oldest === null ? null : Math.max(0, Math.floor((Date.now() - oldest) / 60000));
}

// ── rendering ───────────────────────────────────────────────
let frame = null;
function render() {
  if (frame) return;
  frame = window.requestAnimationFrame(function () {
    frame = null;
    renderMap();
    renderQueues();
    renderAlarms();
    renderSummary();
    refreshForms();
  });
}

function personSpan(p) {
  return p ? h("span", { class: "who-name" }, p.name, p.badge ? h("small", { class: "num", text: p.badge }) : null)
    : h("span", { class: "vacant", text: tr("post_vacant") });
}

function windowCard(w) {
  const alarm = state.alarms.get(w.id);
  const cur = w.current && ACTIVE.indexOf(w.current.status) !== -1 ? w.current : null;
  const waiting = windowWaiting(w);
  const cls = ["win-card", "status-" + w.status];
  if (alarm) cls.push("alarm");
  if (w.cover) cls.push("covered");
  const btn = function (act, label, extra) {
    return h("button", { type: "button", class: "btn ghost sm" + (extra ? " " + extra : ""), "data-act": act, text: label });
  };
  return h("article", {
    class: cls.join(" "),
    dataset: { windowId: w.id, windowNumber: w.number, status: w.status, services: w.services.join(","), alarm: alarm ? "yes" : "no" },
  },
    h("header", { class: "wc-head" },
      h("span", { class: "wc-num" }, windowNodes(w.number)),
      h("span", { class: "pill " + w.status, "data-role": "status", text: tr("window_" + w.status) }),
      alarm ? h("span", { class: "wc-alarm", text: tr("alarm_tag") }) : null),
    h("div", { class: "wc-clerk" + (w.clerk ? "" : " none"), "data-role": "clerk" },
      w.clerk ? personSpan(w.clerk) : tr("nobody_signed_in")),
    h("div", { class: "wc-current", "data-role": "current" },
      cur ? h("b", { class: "num", text: cur.number }) : h("b", { class: "num none", text: tr("current_none") }),
      cur ? h("span", { class: "pill " + cur.status, text: statusLabel(cur.status) }) : null,
      h("span", { class: "wc-wait" + (waiting ? " some" : ""), "data-role": "waiting", text: tr("waiting_n", { n: waiting }) })),
    h("div", { class: "wc-services", "data-role": "services" },
      w.services.map(function (code) {
        const n = state.waiting.of(code);
        return h("span", { class: "chip", title: serviceName(code), dataset: { service: code } },
          h("b", { text: service(code).prefix }), h("span", { class: "chip-name", text: " " + serviceName(code) }),
          n ? h("em", { class: "num", text: String(n) }) : null);
      })),
    h("div", { class: "wc-posts", "data-role": "posts" },
      h("span", { class: "post" }, h("i", { text: tr("post_a") }), personSpan(w.posts && w.posts.a)),
      h("span", { class: "post" }, h("i", { text: tr("post_b") }), personSpan(w.posts && w.posts.b))),
    w.cover ? h("div", { class: "wc-cover", "data-role": "cover" },
      h("b", { text: tr("cover_go", { window: w.cover.window.number }) }),
      w.cover.clerk ? h("span", { text: tr("cover_by", { name: w.cover.clerk.name }) }) : null) : null,
    w.status === "paused" && w.pause_reason ? h("div", { class: "wc-reason", text: w.pause_reason }) : null,
    h("footer", { class: "wc-actions" },
      btn("services", tr("act_services")),
      btn("posts", tr("act_posts")),
      btn("move", tr("act_move")),
      w.status !== "closed" ? btn("close", tr("act_close"), "danger") : null,
      actionMenu(w)));
}

// In the compact layout a card's four actions sit behind one 操作 button (a disclosure): the
// card stays small enough for all the windows to show at once. It stays open across re-renders.
let openMenu = null;   // the window id whose menu is open
function actionMenu(w) {
  const item = function (act, label, extra) {
    return h("button", { type: "button", class: "btn ghost" + (extra ? " " + extra : ""), "data-act": act, text: label });
  };
  const menu = h("details", { class: "wc-menu", open: openMenu === w.id ? true : null },
    h("summary", { class: "btn ghost", "aria-label": tr("act_menu_label", { window: w.number }), title: tr("act_menu_label", { window: w.number }), text: "⋯" }),
    h("div", { class: "wc-menu-list" },
      item("services", tr("act_services")),
      item("posts", tr("act_posts")),
      item("move", tr("act_move")),
      w.status !== "closed" ? item("close", tr("act_close"), "danger") : null));
  menu.addEventListener("toggle", function () {
    if (menu.open) {
      openMenu = w.id;
      document.querySelectorAll(".wc-menu[open]").forEach(function (m) { if (m !== menu) m.open = false; });
    } else if (openMenu === w.id) openMenu = null;
  });
  return menu;
}

// ── the layout: compact (every window at a glance) or roomy; small screens start compact ──
const DENSITY_KEY = "hallq.manage-hall.density";
function density() {
  let saved = null;
  try { saved = window.localStorage.getItem(DENSITY_KEY); } catch (e) { /* private mode */ }
  if (saved === "compact" || saved === "roomy") return saved;
  return window.innerWidth < 1600 || window.innerHeight < 960 ? "compact" : "roomy";
}
function applyDensity(value) {
  const consoleEl = $("hall-console");
  consoleEl.dataset.density = value;
  $("density-toggle").setAttribute("aria-pressed", value === "compact" ? "true" : "false");
}
applyDensity(density());
$("density-toggle").addEventListener("click", function () {
  const next = $("hall-console").dataset.density === "compact" ? "roomy" : "compact";
  try { window.localStorage.setItem(DENSITY_KEY, next); } catch (e) { /* private mode */ }
  applyDensity(next);
});
document.addEventListener("click", function (ev) {
  // a click elsewhere closes an open action menu
  if (openMenu === null || ev.target.closest(".wc-menu")) return;
  document.querySelectorAll(".wc-menu[open]").forEach(function (m) { m.open = false; });
  openMenu = null;
});

function renderMap() {
  const map = $("window-map");
  map.textContent = "";
  windowsInOrder().forEach(function (w) { map.appendChild(windowCard(w)); });
}

function renderQueues() {
  const body = $("queue-body");
  body.textContent = "";
  state.services.forEach(function (s) {
    const n = state.waiting.of(s.code);
    const wins = servingWindows(s.code);
    const est = state.est.get(s.code);
    // the server's routing truth when it has spoken; the window map's view until then
    const served = est && typeof est.served === "boolean" ? est.served : wins.some(staffed);
    const longest = n ? longestMinutes(s.code) : null;
    const stranded = unservedOf(s.code);
    const warn = stranded > 0 || (n > 0 && !served);
    body.appendChild(h("tr", { class: warn ? "warn" : "", dataset: { service: s.code, waiting: n } },
      h("td", {}, h("span", { class: "svc-letter num", text: s.prefix }), " ", h("b", { text: s.name })),
      h("td", { class: "r num", "data-role": "waiting" }, h("b", { class: n ? "" : "zero", text: String(n) })),
      h("td", { class: "r num nowrap" + (longest !== null && longest >= 30 ? " long" : ""), "data-role": "longest",
        text: longest === null ? tr("longest_none") : tr("longest_min", { n: longest }) }),
      h("td", { class: "r num nowrap", "data-role": "estimate",
        text: est && typeof est.estimated_wait_s === "number" ? tr("est_min", { n: Math.ceil(est.estimated_wait_s / 60) }) : tr("longest_none") }),
      h("td", { class: "wins", "data-role": "windows" },
        wins.length ? wins.map(function (w) {
          return h("span", { class: "wn num " + (staffed(w) ? "on" : "off"), title: tr("window_" + w.status), text: String(w.number) });
        }) : null,
        warn ? h("span", { class: "pill bad", "data-role": "unserved",
          text: stranded > 0 ? tr("unserved_pill", { n: stranded }) : wins.length ? tr("no_window") : tr("none_served") }) : null),
      h("td", { class: "act" }, n ? h("button", {
        type: "button", class: "btn ghost sm", text: tr("move_short"),
        onclick: function () { prefillMove("service", s.code); },
      }) : null)));
  });
}

function renderAlarms() {
  const banner = $("alarm-banner");
  const list = $("alarm-list");
  list.textContent = "";
  const alarms = Array.from(state.alarms.values()).sort(function (a, b) { return a.window.number - b.window.number; });
  renderUnserved();
  banner.hidden = alarms.length === 0 && state.unserved.length === 0;
  $("alarm-title").textContent = alarms.length ? tr("alarm_title", { n: alarms.length })
    : tr("unserved_title", { n: state.unserved.reduce(function (n, u) { return n + u.waiting; }, 0) });
  alarms.forEach(function (a) {
    const w = state.windows.get(a.window.id);
    const n = w ? strandedWaiting(w) : a.waiting || 0;
    list.appendChild(h("li", { dataset: { windowId: a.window.id } },
      h("b", { text: tr("alarm_line", { window: a.window.number, n: n }) }),
      h("span", { class: "who" }, tr("post_a") + " ", personSpan(a.a), "  " + tr("post_b") + " ", personSpan(a.b)),
      a.since ? h("span", { class: "since num", text: tr("alarm_since", { time: shortTime(a.since, state.timezone) }) }) : null,
      h("span", { class: "alarm-acts" },
        h("button", { type: "button", class: "btn sm", text: tr("act_posts"), onclick: function () { editPosts(a.window.id); } }),
        h("button", { type: "button", class: "btn amber sm", text: tr("act_move"), onclick: function () { prefillMove("window", a.window.id); } }))));
  });
}

/** Waiting citizens no window can serve now, whatever the reason (domain/routing.py): an alarm. */
function renderUnserved() {
  const list = $("unserved-list");
  list.textContent = "";
  $("unserved-hint").hidden = state.unserved.length === 0;
  state.unserved.forEach(function (u) {
    const text = u.directed_window
      ? tr("unserved_directed", { window: u.directed_window.number, n: u.waiting, service: serviceName(u.service) })
      : tr("unserved_line", { service: serviceName(u.service), n: u.waiting });
    list.appendChild(h("li", { dataset: { unserved: u.service, waiting: u.waiting } },
      h("b", { text: text }),
      h("span", { class: "alarm-acts" },
        h("button", { type: "button", class: "btn amber sm", text: tr("act_move"),
          onclick: function () { u.directed_window ? prefillMove("window", u.directed_window.id) : prefillMove("service", u.service); } }))));
  });
}

function renderSummary() {
  const all = windowsInOrder();
  const open = all.filter(function (w) { return w.status === "open"; }).length;
  $("sum-open").textContent = tr("open_summary", { open: open, total: all.length });
  let total = 0;
  state.services.forEach(function (s) { total += state.waiting.of(s.code); });
  $("sum-waiting").textContent = tr("waiting_summary", { n: total });
}

// ── forms: move a service, move waiting citizens ───────────
function serviceOptions() {
  return state.services.map(function (s) { return { value: s.code, text: tr("service_opt", { prefix: s.prefix, name: s.name }) }; });
}
function windowOption(w) {
  return { value: String(w.id), text: w.services.length ? tr("window_opt", { n: w.number, services: w.services.join("、") }) : tr("window_opt_empty", { n: w.number }) };
}

function refreshForms() {
  const svc = $("ms-service");
  fillSelect(svc, serviceOptions());
  const code = svc.value;
  const from = $("ms-from");
  const to = $("ms-to");
  const serving = servingWindows(code);
  const fromKeep = from.dataset.touched ? from.value : (serving[0] ? String(serving[0].id) : "");
  fillSelect(from, serving.map(windowOption).concat([{ value: "", text: tr("only_add") }]), fromKeep);
  fillSelect(to, [{ value: "", text: tr("choose") }].concat(windowsInOrder()
    .filter(function (w) { return w.services.indexOf(code) === -1; }).map(windowOption)));
  renderMovePreview();

  fillMoveSide("from");
  fillMoveSide("to");
}

function movePlan() {
  const code = $("ms-service").value;
  const from = $("ms-from").value ? state.windows.get(Number($("ms-from").value)) : null;
  const to = $("ms-to").value ? state.windows.get(Number($("ms-to").value)) : null;
  return { code: code, from: from || null, to: to || null };
}

function planLines(plan) {
  const lines = [];
  if (plan.from) {
    lines.push(tr("services_change", {
      window: plan.from.number, before: codesText(plan.from.services),
      after: codesText(plan.from.services.filter(function (c) { return c !== plan.code; })),
    }));
  }
  if (plan.to) {
    lines.push(tr("services_change", {
      window: plan.to.number, before: codesText(plan.to.services), after: codesText(plan.to.services.concat([plan.code])),
    }));
  }
  return lines;
}

function renderMovePreview() {
  const plan = movePlan();
  $("ms-preview").textContent = plan.code && plan.to ? planLines(plan).join("；") : "";
  $("ms-submit").disabled = !plan.code || !plan.to;
}

async function moveService(ev) {
  ev.preventDefault();
  const plan = movePlan();
  if (!plan.code || !plan.to) return;
  if (plan.from && plan.from.id === plan.to.id) { say("error", tr("same_window")); return; }
  if (plan.to.services.indexOf(plan.code) !== -1) { say("error", tr("already_served", { to: plan.to.number })); return; }
  const name = serviceName(plan.code);
  const n = state.waiting.of(plan.code);
  const body = [plan.from
    ? tr("confirm_move_service", { service: name, from: plan.from.number, to: plan.to.number })
    : tr("confirm_add_service", { service: name, to: plan.to.number })];
  body.push(h("ul", { class: "plan" }, planLines(plan).map(function (l) { return h("li", { text: l }); })));
  if (n) body.push(tr("confirm_waiting_note", { n: n, service: name }));
  const ok = await confirmDialog({
    title: tr(plan.from ? "confirm_move_service_title" : "confirm_add_service_title"),
    body: body, ok: tr("move_service_btn"),
  });
  if (!ok) return;
  const btn = $("ms-submit");
  btn.disabled = true;
  try {
    // add first, then remove: the service is never left without a window in between
    const toView = await api("PUT", paths.windowAction(plan.to.id, "services"),
      { services: plan.to.services.concat([plan.code]) });
    upsertWindow(toView);
    if (plan.from) {
      const fromView = await api("PUT", paths.windowAction(plan.from.id, "services"),
        { services: plan.from.services.filter(function (c) { return c !== plan.code; }) });
      upsertWindow(fromView);
      say("ok", tr("moved_service_ok", { service: name, from: plan.from.number, to: plan.to.number }));
    } else {
      say("ok", tr("added_service_ok", { service: name, to: plan.to.number }));
    }
    $("ms-from").dataset.touched = "";
    $("ms-to").value = "";
  } catch (err) {
    sayError(err);
  } finally {
    btn.disabled = false;
    render();
  }
}

function fillMoveSide(side) {
  const kind = $("mt-" + side + "-kind");
  if (!kind.options.length) {
    fillSelect(kind, [{ value: "service", text: tr("by_service") }, { value: "window", text: tr("by_window") }]);
  }
  const sel = $("mt-" + side);
  const keep = sel.dataset.want !== undefined && sel.dataset.want !== "" ? sel.dataset.want : sel.value;
  const options = kind.value === "window"
    ? windowsInOrder().map(windowOption)
    : serviceOptions().map(function (o) {
      const n = state.waiting.of(o.value);
      return { value: o.value, text: o.text + (n ? "（" + tr("people_n", { n: n }) + "）" : "") };
    });
  fillSelect(sel, [{ value: "", text: tr("choose") }].concat(options), keep);
  sel.dataset.want = "";
}

function prefillMove(kind, value) {
  $("mt-from-kind").value = kind;
  $("mt-from").dataset.want = String(value);
  fillMoveSide("from");
  const card = $("move-tickets-form").closest(".card");
  card.scrollIntoView({ behavior: "smooth", block: "center" });
  card.classList.remove("flash");
  void card.offsetWidth;
  card.classList.add("flash");
  $("mt-to").focus({ preventScroll: true });
}

function moveSpec(side) {
  const kind = $("mt-" + side + "-kind").value;
  const value = $("mt-" + side).value;
  if (!value) return null;
  return kind === "window" ? { window: Number(value) } : { service: value };
}
function specText(spec) {
  if (spec.window !== undefined) {
    const w = state.windows.get(spec.window);
    return tr("target_window", { n: w ? w.number : spec.window });
  }
  return tr("target_service", { name: serviceName(spec.service) });
}
function numbersText(numbers) {
  const shown = numbers.slice(0, 12).join("、");
  return numbers.length > 12 ? shown + tr("more_numbers", { n: numbers.length }) : shown;
}

async function moveTickets(ev) {
  ev.preventDefault();
  const from = moveSpec("from");
  const to = moveSpec("to");
  if (!from) { $("mt-from").focus(); return; }
  if (!to) { $("mt-to").focus(); return; }
  if (JSON.stringify(from) === JSON.stringify(to)) { say("error", tr("same_source")); return; }
  const reason = $("mt-reason").value.trim();
  const body = { from: from, to: to, confirm: false };
  if (reason) body.reason = reason;
  const btn = $("mt-submit");
  btn.disabled = true;
  try {
    const preview = await api("POST", paths.moveTickets(hall), body);
    if (!preview.count) { say("info", tr("move_preview_none")); return; }
    const ok = await confirmDialog({
      title: tr("confirm_move_title"),
      body: [
        h("p", { class: "big", text: tr("confirm_move", { n: preview.count, numbers: numbersText(preview.numbers) }) }),
        tr("confirm_move_target", { from: specText(from), to: specText(to) }),
      ],
      ok: tr("move_btn"),
    });
    if (!ok) return;
    const done = await api("POST", paths.moveTickets(hall),
      Object.assign({}, body, { confirm: true }));
    say("ok", tr("moved_ok", { n: done.moved }));
    $("mt-reason").value = "";
  } catch (err) {
    sayError(err);
  } finally {
    btn.disabled = false;
  }
}

// ── window actions: services, posts, close ──────────────────
function cardAction(ev) {
  const button = ev.target.closest("button[data-act]");
  if (!button) return;
  const card = button.closest(".win-card");
  const id = Number(card.dataset.windowId);
  const act = button.dataset.act;
  const menu = button.closest(".wc-menu");
  if (menu) { menu.open = false; openMenu = null; }
  if (act === "services") editServices(id);
  else if (act === "posts") editPosts(id);
  else if (act === "move") prefillMove("window", id);
  else if (act === "close") closeWindow(id);
}

function serviceRow(code, checked) {
  const s = service(code);
  const li = h("li", { dataset: { service: code } },
    h("label", {},
      h("input", { type: "checkbox", checked: checked ? true : null }),
      h("span", { class: "svc-letter num", text: s.prefix }), " " + s.name),
    h("span", { class: "order" },
      h("button", { type: "button", class: "btn ghost xs", "aria-label": "↑", text: "↑", onclick: function () {
        if (li.previousElementSibling) li.parentNode.insertBefore(li, li.previousElementSibling);
      } }),
      h("button", { type: "button", class: "btn ghost xs", "aria-label": "↓", text: "↓", onclick: function () {
        if (li.nextElementSibling) li.parentNode.insertBefore(li.nextElementSibling, li);
      } })));
  return li;
}

async function editServices(id) {
  const w = state.windows.get(id);
  if (!w) return;
  const dlg = $("services-dialog");
  $("services-title").textContent = tr("confirm_services_title", { window: w.number });
  const list = $("service-order");
  list.textContent = "";
  w.services.forEach(function (c) { list.appendChild(serviceRow(c, true)); });
  state.services.forEach(function (s) { if (w.services.indexOf(s.code) === -1) list.appendChild(serviceRow(s.code, false)); });
  const data = await formDialog(dlg);
  if (!data) return;
  const codes = Array.from(list.querySelectorAll("li")).filter(function (li) {
    return li.querySelector("input").checked;
  }).map(function (li) { return li.dataset.service; });
  if (codes.join(",") === w.services.join(",")) return;
  const removed = w.services.filter(function (c) { return codes.indexOf(c) === -1; });
  const body = [tr("services_change", { window: w.number, before: codesText(w.services), after: codesText(codes) })];
  removed.forEach(function (c) {
    const others = servingWindows(c).filter(function (x) { return x.id !== w.id && staffed(x); });
    const n = state.waiting.of(c);
    if (!others.length && n) body.push(h("p", { class: "warn", text: tr("orphan_warning", { service: serviceName(c), n: n }) }));
  });
  const ok = await confirmDialog({ title: tr("confirm_services_title", { window: w.number }), body: body, ok: tr("save") });
  if (!ok) return;
  try {
    upsertWindow(await api("PUT", paths.windowAction(id, "services"), { services: codes }));
    say("ok", tr("services_saved", { window: w.number }));
  } catch (err) {
    sayError(err);
  }
}

async function editPosts(id) {
  const w = state.windows.get(id);
  if (!w) return;
  $("posts-title").textContent = tr("posts_title", { window: w.number });
  const options = [{ value: "", text: tr("post_vacant") }].concat(state.clerks.map(function (u) {
    return { value: u.username, text: u.name + (u.badge ? " · " + u.badge : "") + "（" + u.username + "）" };
  }));
  fillSelect($("post-a"), options, w.posts && w.posts.a ? w.posts.a.username : "");
  fillSelect($("post-b"), options, w.posts && w.posts.b ? w.posts.b.username : "");
  const data = await formDialog($("posts-dialog"));
  if (!data) return;
  try {
    const res = await api("PUT", paths.windowAction(id, "posts"), { a: data.get("a") || null, b: data.get("b") || null });
    const cur = state.windows.get(id);
    if (cur) cur.posts = { a: res.a, b: res.b };
    render();
    refreshWindow(id);
    say("ok", tr("posts_saved", {
      window: w.number,
      a: res.a ? res.a.name : tr("post_vacant"),
      b: res.b ? res.b.name : tr("post_vacant"),
    }));
  } catch (err) {
    sayError(err);
  }
}

async function closeWindow(id) {
  const w = state.windows.get(id);
  if (!w) return;
  const reason = h("input", { class: "input", type: "text", maxlength: "300", placeholder: tr("close_reason"), "aria-label": tr("close_reason") });
  const ok = await confirmDialog({
    title: tr("confirm_close_title", { window: w.number }),
    body: [w.clerk ? tr("confirm_close", { name: w.clerk.name }) : tr("confirm_close_empty"), reason],
    ok: tr("close_btn"), danger: true,
  });
  if (!ok) return;
  try {
    const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
    upsertWindow(await api("POST", paths.windowAction(id, "close"), body));
    say("ok", tr("closed_ok", { window: w.number }));
  } catch (err) {
    sayError(err);
  }
}

// ── state from the server ───────────────────────────────────
function upsertWindow(view) {
  if (!view || typeof view.id !== "number") return;
  const before = state.windows.get(view.id);
  const next = Object.assign({}, before || {}, view);
  if (!("posts" in view) && before) next.posts = before.posts;
  state.windows.set(view.id, next);
  if (before && before.services.join(",") !== next.services.join(",")) reloadTickets();
  render();
}

async function refreshWindow(id) {
  try {
    const view = await api("GET", paths.window(id));
    mergeWaiting(view.waiting || [], false);
    delete view.waiting;
    delete view.covering;
    upsertWindow(view);
  } catch (e) { /* the next event brings it */ }
}

/** What "longest wait" keeps of a waiting ticket. */
function queued(t) {
  return { id: t.id, number: t.number, service: t.service, queued_at: t.queued_at };
}

function mergeWaiting(list, replace) {
  list.forEach(function (t) {
    if (state.gone.has(t.id)) return;
    if (t.status === "waiting") state.tickets.set(t.id, queued(t));
  });
  if (replace) render();
}

/** Every window's waiting list, read again: the basis of "longest wait". */
async function loadTickets() {
  state.gone = new Set();
  const ids = windowsInOrder().map(function (w) { return w.id; });
  const results = await Promise.all(ids.map(function (id) {
    return api("GET", paths.window(id)).catch(function () { return null; });
  }));
  const fresh = new Map();
  results.forEach(function (view) {
    if (!view) return;
    (view.waiting || []).forEach(function (t) {
      if (t.status === "waiting" && !state.gone.has(t.id)) {
        fresh.set(t.id, queued(t));
      }
    });
  });
  state.tickets = fresh;
  render();
}
const reloadTickets = debounce(function () { loadTickets().catch(function () { /* next time */ }); }, 800);

async function loadAlarms() {
  const res = await api("GET", paths.alarms(hall));
  state.alarms = new Map();
  (res.alarms || []).forEach(function (a) { state.alarms.set(a.window.id, a); });
  render();
}

async function loadClerks() {
  const res = await api("GET", paths.hallUsers(hall));
  state.clerks = (res.users || []).filter(function (u) { return u.role === "clerk" && u.active; });
}

/** Routing truth and the estimates, as the server's hall snapshot says (staff see `unserved`). */
function applyRouting(snap) {
  state.unserved = snap.unserved || [];
  state.est = new Map();
  (snap.services || []).forEach(function (sv) { state.est.set(sv.code, { estimated_wait_s: sv.estimated_wait_s, served: sv.served }); });
  (snap.windows || []).forEach(function (w) {
    const mine = state.windows.get(w.id);
    if (mine) { mine.cover = w.cover; mine.redirect = w.redirect; }
  });
}
async function loadRouting() {
  applyRouting(await api("GET", paths.snapshot(hall)));
  render();
}
// any change of windows, posts or tickets may change who can be served: read it again, at most
// about once a second
const reloadRouting = debounce(function () { loadRouting().catch(function () { /* next event */ }); }, 700);

function applySnapshot(snap) {
  if (snap.hall) {
    state.timezone = snap.hall.timezone;
    $("hall-name").textContent = snap.hall.name;
  }
  state.services = snap.services || [];
  state.waiting.reset(snap);
  state.windows = new Map();
  (snap.windows || []).forEach(function (w) { state.windows.set(w.id, w); });
  applyRouting(snap);
  state.ready = true;
  render();
}

function applyTicket(t) {
  if (!t || !t.id) return;
  if (t.status === "waiting") {
    state.tickets.set(t.id, queued(t));
    state.gone.delete(t.id);
  } else {
    state.tickets.delete(t.id);
    state.gone.add(t.id);
  }
  state.windows.forEach(function (w) {
    if (w.current && w.current.id === t.id && (ACTIVE.indexOf(t.status) === -1 || !t.window || t.window.id !== w.id)) {
      w.current = null;
    }
  });
  if (ACTIVE.indexOf(t.status) !== -1 && t.window) {
    const w = state.windows.get(t.window.id);
    if (w) w.current = t;
  }
}

function onEvent(env) {
  const d = env.data || {};
  state.waiting.apply(env);
  if (/^(ticket|window|posts|leave|queue)\./.test(env.type) && env.type.indexOf("window.alarm") !== 0) reloadRouting();
  switch (env.type) {
    case "window.updated":
      upsertWindow(d.window);
      break;
    case "posts.updated":
      if (d.window) {
        const w = state.windows.get(d.window.id);
        if (w) w.posts = { a: d.a, b: d.b };
        refreshWindow(d.window.id);   // who covers it may change with the posts
      }
      break;
    case "leave.registered":
      // A clerk on leave today is covered by their B post: the cover of their windows may change.
      state.windows.forEach(function (w) {
        if (d.leave && w.posts && w.posts.a && w.posts.a.username === d.leave.user.username) refreshWindow(w.id);
      });
      break;
    case "window.alarm":
      if (d.window) {
        state.alarms.set(d.window.id, d);
        say("error", tr("alarm_raised", { window: d.window.number, n: d.waiting || 0 }), 10000);
      }
      break;
    case "window.alarm_cleared":
      if (d.window && state.alarms.has(d.window.id)) {
        state.alarms.delete(d.window.id);
        say("ok", tr("alarm_cleared", { window: d.window.number }));
      }
      break;
    case "queue.moved":
      reloadTickets();
      break;
    case "hall.updated":
      if (d.hall) {
        state.timezone = d.hall.timezone;
        $("hall-name").textContent = d.hall.name;
      }
      break;
    default:
      if (env.type.indexOf("ticket.") === 0) applyTicket(d.ticket);
  }
  render();
}

// ── start ───────────────────────────────────────────────────
$("window-map").addEventListener("click", cardAction);
$("move-service-form").addEventListener("submit", moveService);
$("ms-service").addEventListener("change", function () { $("ms-from").dataset.touched = ""; refreshForms(); });
$("ms-from").addEventListener("change", function () { $("ms-from").dataset.touched = "1"; renderMovePreview(); });
$("ms-to").addEventListener("change", renderMovePreview);
$("move-tickets-form").addEventListener("submit", moveTickets);
["from", "to"].forEach(function (side) {
  $("mt-" + side + "-kind").addEventListener("change", function () { fillMoveSide(side); });
});

const clockEl = $("hall-clock");
let hallClock = null;
setInterval(function () {
  if (!hallClock && state.timezone) hallClock = clock(state.timezone);
  if (hallClock) clockEl.textContent = hallClock().time;
}, 1000);
// the longest waits grow by the minute without any event
setInterval(function () { if (state.ready) renderQueues(); }, 30000);
// and the waiting lists are read again now and then, in case an event was too terse
setInterval(function () { if (state.ready) reloadTickets(); }, 120000);

(async function start() {
  loadClerks().catch(function (err) { sayError(err); });
  let first = true;
  live({
    hall: hall,
    onSnapshot: function (snap) {
      applySnapshot(snap);
      loadTickets().catch(function () { /* next event */ });
      loadAlarms().catch(function (err) { if (first) sayError(err); });
      first = false;
    },
    onEvent: onEvent,
  });
})();
