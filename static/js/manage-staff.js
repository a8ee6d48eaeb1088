/* hallq — people on duty (人员与请假): leave with handover notes, leave registered by the manager,
 * the A/B posts of every window, and the attendance log of a day. Live through live.js. */
(function () {
  "use strict";
  const H = window.hallq;
  const root = document.getElementById("staff");
  const hall = root.dataset.hall;
  const hallPath = "/api/v1/halls/" + encodeURIComponent(hall);
  const $ = function (id) { return document.getElementById(id); };
  const state = { timezone: undefined, windows: [], services: [], clerks: [], leaves: [] };

  function today() { return H.hallToday(state.timezone); }

  function personCell(p) {
    if (!p) return H.h("td", { class: "muted", text: H.t("post_vacant") });
    return H.h("td", {}, H.h("b", { text: p.name }), p.badge ? H.h("span", { class: "num badge", text: " " + p.badge }) : null);
  }

  /** The windows where this clerk is the A post, with who covers them (their B post). */
  function coverOf(username) {
    return state.windows.filter(function (w) { return w.posts && w.posts.a && w.posts.a.username === username; })
      .map(function (w) {
        return w.posts.b ? H.t("covered_by", { window: w.number, name: w.posts.b.name }) : H.t("no_b_post", { window: w.number });
      });
  }

  function onLeaveToday(username) {
    const d = today();
    return state.leaves.some(function (lv) { return lv.user.username === username && lv.start <= d && d <= lv.end; });
  }

  // ── leave ───────────────────────────────────────────────────
  async function loadLeaves() {
    const res = await H.api("GET", hallPath + "/leaves");
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
      body.appendChild(H.h("tr", { class: lv.short_notice ? "short" : "", dataset: { leaveId: lv.id, user: lv.user.username, shortNotice: lv.short_notice ? "yes" : "no" } },
        H.h("td", {}, H.h("b", { text: lv.user.name }), lv.user.badge ? H.h("div", { class: "sub num", text: lv.user.badge }) : null,
          now ? H.h("span", { class: "pill warn", text: H.t("on_leave") }) : null),
        H.h("td", { class: "num nowrap", text: lv.start === lv.end ? lv.start : H.t("days_span", { start: lv.start, end: lv.end }) }),
        H.h("td", { text: lv.reason }),
        H.h("td", { class: "note", text: lv.handover_note }),
        H.h("td", { class: "cover" }, cover.map(function (c) { return H.h("div", { text: c }); })),
        H.h("td", { class: "nowrap" },
          H.h("span", { class: "pill " + (lv.short_notice ? "bad" : "ok"), text: H.t(lv.short_notice ? "short_notice" : "in_time") }),
          H.h("div", { class: "sub num", text: H.t("registered_at", { time: H.dayTime(lv.registered_at, state.timezone) }) }))));
    });
    if (!state.leaves.length) body.appendChild(H.h("tr", { class: "empty-row" }, H.h("td", { colspan: "6", text: H.t("no_leave") })));
    const short = state.leaves.filter(function (lv) { return lv.short_notice; }).length;
    $("leave-count").textContent = state.leaves.length ? state.leaves.length + (short ? " · " + H.t("short_notice") + " " + short : "") : "";
  }

  // ── posts ───────────────────────────────────────────────────
  function renderPosts() {
    const body = $("posts-body");
    body.textContent = "";
    state.windows.forEach(function (w) {
      const a = w.posts && w.posts.a;
      const aCell = personCell(a);
      if (a && onLeaveToday(a.username)) aCell.appendChild(H.h("span", { class: "pill warn", text: H.t("leave_today") }));
      body.appendChild(H.h("tr", { dataset: { windowId: w.id } },
        H.h("td", { class: "nowrap" }, H.h("b", { text: H.t("window_n", { n: w.number }) })),
        H.h("td", { class: "num", text: w.services.join("、") }),
        aCell,
        personCell(w.posts && w.posts.b),
        w.clerk ? personCell(w.clerk)
          : w.cover && w.cover.clerk ? H.h("td", { class: "covered", text: H.t("covering_from", { name: w.cover.clerk.name, window: w.cover.window.number }) })
            : H.h("td", { class: "muted", text: H.t("off_duty") })));
    });
  }

  // ── attendance ──────────────────────────────────────────────
  async function loadAttendance() {
    const day = $("att-day").value;
    const res = await H.api("GET", hallPath + "/attendance" + (day ? "?day=" + encodeURIComponent(day) : ""));
    const body = $("att-body");
    body.textContent = "";
    const rows = res.attendance || [];
    rows.forEach(function (a) {
      body.appendChild(H.h("tr", { class: "kind-" + a.kind },
        H.h("td", { class: "num nowrap", text: (a.at || "").slice(11, 19) }),
        personCell(a.user),
        H.h("td", { class: "nowrap", text: H.t("window_n", { n: a.window.number }) }),
        H.h("td", {}, H.h("span", { class: "pill kind " + a.kind, text: H.t("kind_" + a.kind) })),
        H.h("td", { text: a.reason || "" })));
    });
    if (!rows.length) body.appendChild(H.h("tr", { class: "empty-row" }, H.h("td", { colspan: "5", text: H.t("no_attendance") })));
    $("att-count").textContent = rows.length ? String(rows.length) : "";
  }
  const reloadAttendance = H.debounce(function () {
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
    if (body.end < body.start) { H.say("error", H.t("end_before_start")); return; }
    const btn = $("lv-submit");
    btn.disabled = true;
    try {
      const lv = await H.api("POST", "/api/v1/leaves", body);
      H.say(lv.short_notice ? "info" : "ok", H.t(lv.short_notice ? "leave_saved_short" : "leave_saved", { name: lv.user.name, start: lv.start, end: lv.end }));
      $("lv-reason").value = "";
      $("lv-note").value = "";
      await loadLeaves();
    } catch (err) {
      H.sayError(err);
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
  $("att-day").addEventListener("change", function () { loadAttendance().catch(H.sayError); });

  (async function start() {
    try {
      const users = await H.api("GET", hallPath + "/users");
      state.clerks = (users.users || []).filter(function (u) { return u.role === "clerk" && u.active; });
      H.fillSelect($("lv-user"), [{ value: "", text: H.t("choose_clerk") }].concat(state.clerks.map(function (u) {
        return { value: u.username, text: u.name + (u.badge ? " · " + u.badge : "") + "（" + u.username + "）" };
      })));
    } catch (err) {
      H.sayError(err);
    }
    let first = true;
    H.live({
      hall: hall,
      onSnapshot: function (snap) {
        state.timezone = snap.hall.timezone;
        $("hall-name").textContent = snap.hall.name;
        state.windows = snap.windows || [];
        if (first) {
          $("att-day").value = today();
          const tomorrow = H.hallToday(state.timezone, 1);
          $("lv-start").value = tomorrow;
          $("lv-end").value = tomorrow;
          $("lv-start").min = today();
          $("lv-end").min = today();
        }
        first = false;
        renderPosts();
        loadLeaves().catch(H.sayError);
        loadAttendance().catch(H.sayError);
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
})();
