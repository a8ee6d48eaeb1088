/* hallq — clerk console (呼叫器). Session login: the API calls carry the cookie + X-CSRFToken. */
(function () {
  "use strict";
  const H = window.hallq;
  const root = document.getElementById("console");
  const hall = root.dataset.hall;
  const $ = function (id) { return document.getElementById(id); };

  const state = {
    me: null,
    windowId: null,     // the window this user is signed in at
    win: null,          // GET /api/v1/windows/<id> (with .waiting)
    windows: [],        // the hall's windows (picker)
    services: {},       // code → service (names)
    timezone: undefined,
    busy: false,
  };

  // ── messages ───────────────────────────────────────────────
  function say(kind, text) {
    const box = $("messages");
    const el = H.h("div", { class: "alert " + kind, role: kind === "error" ? "alert" : "status" },
      H.h("span", { text: text }),
      H.h("button", { type: "button", class: "close", "aria-label": "×", text: "×", onclick: function () { el.remove(); } }));
    box.appendChild(el);
    while (box.children.length > 3) box.firstChild.remove();
    if (kind !== "error") setTimeout(function () { el.remove(); }, 5000);
  }
  function sayError(err) { say("error", H.errorText(err)); }

  // ── data ───────────────────────────────────────────────────
  async function loadMe() {
    state.me = await H.api("GET", "/api/v1/me");
    state.windowId = state.me.window ? state.me.window.id : null;
  }

  async function loadSnapshot() {
    const snap = await H.api("GET", "/api/v1/halls/" + encodeURIComponent(hall) + "/snapshot");
    applySnapshot(snap);
  }

  function applySnapshot(snap) {
    state.windows = snap.windows || [];
    state.timezone = snap.hall ? snap.hall.timezone : undefined;
    if (snap.hall) $("hall-name").textContent = snap.hall.name;
    (snap.services || []).forEach(function (s) { state.services[s.code] = s; });
    renderPicker();
  }

  async function loadWindow() {
    if (!state.windowId) { state.win = null; render(); return; }
    try {
      state.win = await H.api("GET", "/api/v1/windows/" + state.windowId);
      // Signed out elsewhere (another tab, a manager): back to the picker.
      if (!state.win.clerk || state.win.clerk.username !== root.dataset.user) {
        state.windowId = null;
        state.win = null;
      }
    } catch (err) {
      sayError(err);
    }
    render();
  }

  const refresh = H.debounce(function () { loadWindow(); }, 250);

  // ── rendering ──────────────────────────────────────────────
  function serviceName(code) {
    const s = state.services[code];
    return s ? s.name : code;
  }

  function windowStatusText(status) {
    return H.t({ open: "window_open", paused: "window_paused", closed: "window_closed" }[status] || "window_closed");
  }

  function renderPicker() {
    const grid = $("window-grid");
    grid.textContent = "";
    state.windows.forEach(function (w) {
      const taken = w.clerk && w.clerk.username !== root.dataset.user;
      grid.appendChild(H.h("button", {
        type: "button", class: "window-tile status-" + w.status + (taken ? " taken" : ""),
        dataset: { windowId: w.id }, disabled: taken ? true : null,
        onclick: function () { signIn(w); },
      },
        H.h("span", { class: "wt-number" }, H.windowNodes(w.number)),
        H.h("span", { class: "wt-services" }, (w.services || []).map(function (c) {
          return H.h("span", { class: "chip" }, H.h("b", { text: c }), " " + serviceName(c));
        })),
        H.h("span", { class: "wt-foot" },
          H.h("span", { class: "pill " + w.status, text: windowStatusText(w.status) }),
          taken ? H.h("span", { class: "muted", text: H.t("occupied_by", { name: w.clerk.name || w.clerk.username }) }) : null)
      ));
    });
  }

  function render() {
    const signedIn = !!(state.windowId && state.win);
    $("picker").hidden = signedIn;
    $("workspace").hidden = !signedIn;
    $("window-state").hidden = !signedIn;
    document.body.dataset.signedIn = signedIn ? "yes" : "no";
    if (!signedIn) return;
    const w = state.win;
    root.dataset.windowStatus = w.status;
    $("win-label").textContent = H.t("window_n", { n: w.number });
    $("win-status").textContent = windowStatusText(w.status);
    $("win-status").className = "pill " + w.status;
    $("win-reason").textContent = w.status === "paused" && w.pause_reason ? w.pause_reason : "";

    const cur = w.current;
    $("cur-number").textContent = cur ? cur.number : "—";
    $("cur-number").dataset.ticketNumber = cur ? cur.number : "";
    $("cur-service").textContent = cur ? cur.service_name : H.t("no_current");
    $("cur-status").textContent = cur ? H.statusLabel(cur.status) : "";
    $("cur-status").className = "pill " + (cur ? cur.status : "hidden");
    const extra = [];
    if (cur && cur.called_at) extra.push(H.t("called_at", { time: H.shortTime(cur.called_at, state.timezone) }));
    if (cur && cur.recalls) extra.push(H.t("recalls_n", { n: cur.recalls }));
    $("cur-extra").textContent = extra.join(" · ");

    const open = w.status === "open";
    const status = cur ? cur.status : null;
    $("btn-call").disabled = !open || !!cur;
    $("btn-recall").disabled = status !== "called";
    $("btn-start").disabled = status !== "called";
    $("btn-no-show").disabled = status !== "called";
    $("btn-complete").disabled = status !== "serving";
    $("pause-form").hidden = w.status !== "open";
    $("btn-resume").hidden = w.status !== "paused";
    $("btn-sign-out").disabled = !!cur;

    const waiting = w.waiting || [];
    $("waiting-count").textContent = waiting.length ? H.t("waiting_count", { n: waiting.length }) : "";
    const body = $("waiting-body");
    body.textContent = "";
    const now = Date.now();
    waiting.forEach(function (t, i) {
      const waited = Math.max(0, Math.floor((now - Date.parse(t.queued_at)) / 60000));
      body.appendChild(H.h("tr", { dataset: { ticketNumber: t.number } },
        H.h("td", { class: "muted num", text: String(i + 1) }),
        H.h("td", {},
          H.h("b", { class: "num", text: t.number }),
          t.priority ? H.h("span", { class: "tag prio", text: H.t("priority") }) : null,
          t.directed_window ? H.h("span", { class: "tag", text: H.t("directed") }) : null),
        H.h("td", { text: t.service_name }),
        H.h("td", { class: "num", text: H.shortTime(t.queued_at, state.timezone) }),
        H.h("td", { class: "num", text: H.t("waited_min", { n: waited }) })));
    });
    $("waiting-empty").hidden = waiting.length > 0;
  }

  // ── actions ────────────────────────────────────────────────
  async function run(fn) {
    if (state.busy) return;
    state.busy = true;
    root.classList.add("busy");
    try {
      await fn();
    } catch (err) {
      sayError(err);
    } finally {
      state.busy = false;
      root.classList.remove("busy");
      await loadWindow();
    }
  }

  function signIn(w) {
    run(async function () {
      const res = await H.api("POST", "/api/v1/windows/" + w.id + "/sign-in");
      state.windowId = res.id;
      say("ok", H.t("signed_in_ok", { window: H.t("window_n", { n: res.number }) }));
    });
  }

  function ticketAction(action, okKey) {
    const cur = state.win && state.win.current;
    if (!cur) return;
    run(async function () {
      const t = await H.api("POST", "/api/v1/tickets/" + encodeURIComponent(cur.id) + "/" + action);
      say("ok", H.t(okKey, { number: t.number }));
    });
  }

  $("btn-call").addEventListener("click", function () {
    run(async function () {
      const t = await H.api("POST", "/api/v1/windows/" + state.windowId + "/call-next");
      if (t) say("ok", H.t("called_ok", { number: t.number }));
      else say("info", H.t("nobody_waiting"));
    });
  });
  $("btn-recall").addEventListener("click", function () { ticketAction("recall", "recalled_ok"); });
  $("btn-start").addEventListener("click", function () { ticketAction("start", "started_ok"); });
  $("btn-no-show").addEventListener("click", function () { ticketAction("no-show", "no_show_ok"); });
  $("btn-complete").addEventListener("click", function () { ticketAction("complete", "completed_ok"); });

  $("pause-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    const reason = $("pause-reason").value.trim();
    if (!reason) { say("error", H.t("reason_required")); $("pause-reason").focus(); return; }
    run(async function () {
      await H.api("POST", "/api/v1/windows/" + state.windowId + "/pause", { reason: reason });
      $("pause-reason").value = "";
      say("ok", H.t("paused_ok"));
    });
  });
  $("btn-resume").addEventListener("click", function () {
    run(async function () {
      await H.api("POST", "/api/v1/windows/" + state.windowId + "/resume");
      say("ok", H.t("resumed_ok"));
    });
  });
  $("btn-sign-out").addEventListener("click", function () {
    if (!window.confirm(H.t("confirm_sign_out"))) return;
    run(async function () {
      await H.api("POST", "/api/v1/windows/" + state.windowId + "/sign-out");
      state.windowId = null;
      say("ok", H.t("signed_out_ok"));
      await loadSnapshot();
    });
  });

  // "waited N min" grows while nobody acts: redraw now and then
  setInterval(function () { if (state.win && !state.busy) render(); }, 30000);

  // ── start ──────────────────────────────────────────────────
  (async function start() {
    try {
      await loadMe();
      await loadSnapshot();
      await loadWindow();
    } catch (err) {
      sayError(err);
    }
    H.live({
      hall: hall,
      onSnapshot: function (snap) { applySnapshot(snap); refresh(); },
      onEvent: function (env) {
        if (env.type === "window.updated" && env.data && env.data.window) {
          const w = env.data.window;
          const i = state.windows.findIndex(function (x) { return x.id === w.id; });
          if (i !== -1) state.windows[i] = w;
          if (!state.windowId) renderPicker();
        }
        // Any change in the hall may change this window's queue: re-read it (debounced).
        if (state.windowId) refresh();
      },
    });
  })();
})();
