/* hallq — people on duty (人员与请假): leave with handover notes, leave registered by the manager,
 * the A/B posts of every window, and the attendance log of a day. Live through live.js. */
import { tr } from "./lib/i18n.js";
import { $, debounce, fillSelect, h } from "./lib/dom.js";
import { dayTime, hallToday } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { live } from "./lib/live.js";

const root = document.getElementById("staff");
const hall = root.dataset.hall;
const state = { timezone: undefined, windows: [], services: [], clerks: [], leaves: [] };

function today() { return hallToday(state.timezone); }

function personCell(p) {
  if (!p) return h("td", { class: "muted", text: tr("post_vacant") });
  return h("td", {}, h("b", { text: p.name }), p.badge ? h("span", { class: "num badge", text: " " + p.badge }) : null);
}

/** The windows where this clerk is the A post, with who covers them (their B post). */
function coverOf(username) {
  return state.windows.filter(function (w) { return w.posts && w.posts.a && w.posts.a.username === username; })
    .map(function (w) {
      return w.posts.b ? tr("covered_by", { window: w.number, name: w.posts.b.name }) : tr("no_b_post", { window: w.number });
    });
}

function onLeaveToday(username) {
  const d = today();
  return state.leaves.some(function (lv) { return lv.user.username === username && lv.start <= d && d <= lv.end; });
}

// ── leave ───────────────────────────────────────────────────
async function loadLeaves() {
  const res = await api("GET", paths.hallLeaves(hall));
  state.leaves = res.leaves || [];
  renderLeaves();
  renderPosts();
}

function renderLeaves() {
  const body = $("leave-body");
  body.textContent = "";
  const d = today();
  state.leaves.forEach(function (lv) {
    const now = lv.start <= d && d <= lv.end;
    const cover = coverOf(lv.user.username);
    body.appendChild(h("tr", { class: lv.short_notice ? "short" : "", dataset: { leaveId: lv.id, user: lv.user.username, shortNotice: lv.short_notice ? "yes" : "no" } },
      h("td", {}, h("b", { text: lv.user.name }), lv.user.badge ? h("div", { class: "sub num", text: lv.user.badge }) : null,
        now ? h("span", { class: "pill warn", text: tr("on_leave") }) : null),
      h("td", { class: "num nowrap", text: lv.start === lv.end ? lv.start : tr("days_span", { start: lv.start, end: lv.end }) }),
      h("td", { text: lv.reason }),
      h("td", { class: "note", text: lv.handover_note }),
      h("td", { class: "cover" }, cover.map(function (c) { return h("div", { text: c }); })),
      h("td", { class: "nowrap" },
        h("span", { class: "pill " + (lv.short_notice ? "bad" : "ok"), text: tr(lv.short_notice ? "short_notice" : "in_time") }),
        h("div", { class: "sub num", text: tr("registered_at", { time: dayTime(lv.registered_at, state.timezone) }) }))));
  });
  if (!state.leaves.length) body.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: "6", text: tr("no_leave") })));
  const short = state.leaves.filter(function (lv) { return lv.short_notice; }).length;
  $("leave-count").textContent = state.leaves.length ? state.leaves.length + (short ? " · " + tr("short_notice") + " " + short : "") : "";
}

// ── posts ───────────────────────────────────────────────────
function renderPosts() {
  const body = $("posts-body");
  body.textContent = "";
  state.windows.forEach(function (w) {
    const a = w.posts && w.posts.a;
    const aCell = personCell(a);
    if (a && onLeaveToday(a.username)) aCell.appendChild(h("span", { class: "pill warn", text: tr("leave_today") }));
    body.appendChild(h("tr", { dataset: { windowId: w.id } },
      h("td", { class: "nowrap" }, h("b", { text: tr("window_n", { n: w.number }) })),
      h("td", { class: "num", text: w.services.join("、") }),
      aCell,
      personCell(w.posts && w.posts.b),
      w.clerk ? personCell(w.clerk)
        : w.cover && w.cover.clerk ? h("td", { class: "covered", text: tr("covering_from", { name: w.cover.clerk.name, window: w.cover.window.number }) })
          : h("td", { class: "muted", text: tr("off_duty") })));
  });
}

// ── attendance ──────────────────────────────────────────────
async function loadAttendance() {
  const day = $("att-day").value;
  const res = await api("GET", paths.attendance(hall, day));
  const body = $("att-body");
  body.textContent = "";
  const rows = res.attendance || [];
  rows.forEach(function (a) {
    body.appendChild(h("tr", { class: "kind-" + a.kind },
      h("td", { class: "num nowrap", text: (a.at || "").slice(11, 19) }),
      personCell(a.user),
      h("td", { class: "nowrap", text: tr("window_n", { n: a.window.number }) }),
      h("td", {}, h("span", { class: "pill kind " + a.kind, text: tr("kind_" + a.kind) })),
      h("td", { text: a.reason || "" })));
  });
  if (!rows.length) body.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: "5", text: tr("no_attendance") })));
  $("att-count").textContent = rows.length ? String(rows.length) : "";
}
const reloadAttendance = debounce(function () {
  if ($("att-day").value === today()) loadAttendance().catch(function () { /* next event */ });
}, 500);

// ── registering leave ───────────────────────────────────────
function renderCoverHint() {
  const user = $("lv-user").value;
  $("lv-cover").textContent = user ? coverOf(user).join("；") : "";
}

async function submitLeave(ev) {
  ev.preventDefault();
  const form = $("leave-form");
  if (!form.reportValidity()) return;
  const body = {
    user: $("lv-user").value,
    start: $("lv-start").value,
    end: $("lv-end").value,
    reason: $("lv-reason").value.trim(),
    handover_note: $("lv-note").value.trim(),
  };
  if (body.end < body.start) { say("error", tr("end_before_start")); return; }
  const btn = $("lv-submit");
  btn.disabled = true;
  try {
    const lv = await api("POST", paths.leaves(), body);
    say(lv.short_notice ? "info" : "ok", tr(lv.short_notice ? "leave_saved_short" : "leave_saved", { name: lv.user.name, start: lv.start, end: lv.end }));
    $("lv-reason").value = "";
    $("lv-note").value = "";
    await loadLeaves();
  } catch (err) {
    sayError(err);
  } finally {
    btn.disabled = false;
  }
}

// ── start ───────────────────────────────────────────────────
$("leave-form").addEventListener("submit", submitLeave);
$("lv-user").addEventListener("change", renderCoverHint);
$("lv-start").addEventListener("change", function () {
  if (!$("lv-end").value || $("lv-end").value < $("lv-start").value) $("lv-end").value = $("lv-start").value;
});
$("att-day").addEventListener("change", function () { loadAttendance().catch(sayError); });

(async function start() {
  try {
    const users = await api("GET", paths.hallUsers(hall));
    state.clerks = (users.users || []).filter(function (u) { return u.role === "clerk" && u.active; });
    fillSelect($("lv-user"), [{ value: "", text: tr("choose_clerk") }].concat(state.clerks.map(function (u) {
      return { value: u.username, text: u.name + (u.badge ? " · " + u.badge : "") + "（" + u.username + "）" };
    })));
  } catch (err) {
    sayError(err);
  }
  let first = true;
  live({
    hall: hall,
    onSnapshot: function (snap) {
      state.timezone = snap.hall.timezone;
      $("hall-name").textContent = snap.hall.name;
      state.windows = snap.windows || [];
      if (first) {
        $("att-day").value = today();
        const tomorrow = hallToday(state.timezone, 1);
        $("lv-start").value = tomorrow;
        $("lv-end").value = tomorrow;
        $("lv-start").min = today();
        $("lv-end").min = today();
      }
      first = false;
      renderPosts();
      loadLeaves().catch(sayError);
      loadAttendance().catch(sayError);
    },
    onEvent: function (env) {
      const d = env.data || {};
      if (env.type === "window.updated" && d.window) {
        const i = state.windows.findIndex(function (w) { return w.id === d.window.id; });
        if (i !== -1) state.windows[i] = Object.assign({}, state.windows[i], d.window);
        renderPosts();
        reloadAttendance();
      } else if (env.type === "posts.updated" && d.window) {
        const w = state.windows.find(function (x) { return x.id === d.window.id; });
        if (w) w.posts = { a: d.a, b: d.b };
        renderPosts();
        renderLeaves();
        renderCoverHint();
      } else if (env.type === "leave.registered") {
        loadLeaves().catch(function () { /* next event */ });
      }
    },
  });
})();
