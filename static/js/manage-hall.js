/* hallq — the manager's live hall console (实时调度): windows as a map, the service queues, the
 * alarm of unstaffed windows (AB岗制度) and the re-routing actions.
 *
 * State comes from the live snapshot and the events after it (live.js); the waiting tickets
 * (for "longest wait") from GET /api/v1/windows/<id>, kept current by the ticket events.
 * Actions go through the JSON API with the session cookie + X-CSRFToken (common.js); every
 * action that moves citizens asks first (hallq.confirmDialog). */
(function () {
  "use strict";
  const H = window.hallq;
  const root = document.getElementById("hall-console");
  const hall = root.dataset.hall;
  const $ = function (id) { return document.getElementById(id); };
  const ACTIVE = ["called", "serving"];

  const state = {
    timezone: undefined,
    windows: new Map(),   // id → window view (number, status, services, clerk, current, posts, cover)
    services: [],         // the hall's active services, in kiosk order
    waiting: {},          // service code → waiting count
    tickets: new Map(),   // waiting ticket id → {id, number, service, queued_at}
    gone: new Set(),      // tickets that left the queue while the waiting lists were being read
    alarms: new Map(),    // window id → alarm data
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
    return w.services.reduce(function (n, code) { return n + (state.waiting[code] || 0); }, 0);
  }
  /** Citizens only this window would call: its services no other open window serves (the alarm's count, live). */
  function strandedWaiting(w) {
    return w.services.reduce(function (n, code) {
      const elsewhere = servingWindows(code).some(function (x) { return x.id !== w.id && x.status === "open"; });
      return n + (elsewhere ? 0 : state.waiting[code] || 0);
    }, 0);
  }
  function codesText(codes) {
    return codes.length ? codes.join("、") : H.t("services_none");
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
    return p ? H.h("span", { class: "who-name" }, p.name, p.badge ? H.h("small", { class: "num", text: p.badge }) : null)
      : H.h("span", { class: "vacant", text: H.t("post_vacant") });
  }

  function windowCard(w) {
    const alarm = state.alarms.get(w.id);
    const cur = w.current && ACTIVE.indexOf(w.current.status) !== -1 ? w.current : null;
    const waiting = windowWaiting(w);
    const cls = ["win-card", "status-" + w.status];
    if (alarm) cls.push("alarm");
    if (w.cover) cls.push("covered");
    const btn = function (act, label, extra) {
      return H.h("button", { type: "button", class: "btn ghost sm" + (extra ? " " + extra : ""), "data-act": act, text: label });
    };
    return H.h("article", {
      class: cls.join(" "),
      dataset: { windowId: w.id, windowNumber: w.number, status: w.status, services: w.services.join(","), alarm: alarm ? "yes" : "no" },
    },
      H.h("header", { class: "wc-head" },
        H.h("span", { class: "wc-num" }, H.windowNodes(w.number)),
        H.h("span", { class: "pill " + w.status, "data-role": "status", text: H.t("window_" + w.status) }),
        alarm ? H.h("span", { class: "wc-alarm", text: H.t("alarm_tag") }) : null),
      H.h("div", { class: "wc-clerk" + (w.clerk ? "" : " none"), "data-role": "clerk" },
        w.clerk ? personSpan(w.clerk) : H.t("nobody_signed_in")),
      H.h("div", { class: "wc-current", "data-role": "current" },
        cur ? H.h("b", { class: "num", text: cur.number }) : H.h("b", { class: "num none", text: H.t("current_none") }),
        cur ? H.h("span", { class: "pill " + cur.status, text: H.statusLabel(cur.status) }) : null,
        H.h("span", { class: "wc-wait" + (waiting ? " some" : ""), "data-role": "waiting", text: H.t("waiting_n", { n: waiting }) })),
      H.h("div", { class: "wc-services", "data-role": "services" },
        w.services.map(function (code) {
          const n = state.waiting[code] || 0;
          return H.h("span", { class: "chip", title: serviceName(code), dataset: { service: code } },
            H.h("b", { text: service(code).prefix }), " " + serviceName(code),
            n ? H.h("em", { class: "num", text: String(n) }) : null);
        })),
      H.h("div", { class: "wc-posts", "data-role": "posts" },
        H.h("span", { class: "post" }, H.h("i", { text: H.t("post_a") }), personSpan(w.posts && w.posts.a)),
        H.h("span", { class: "post" }, H.h("i", { text: H.t("post_b") }), personSpan(w.posts && w.posts.b))),
      w.cover ? H.h("div", { class: "wc-cover", "data-role": "cover" },
        H.h("b", { text: H.t("cover_go", { window: w.cover.window.number }) }),
        w.cover.clerk ? H.h("span", { text: H.t("cover_by", { name: w.cover.clerk.name }) }) : null) : null,
      w.status === "paused" && w.pause_reason ? H.h("div", { class: "wc-reason", text: w.pause_reason }) : null,
      H.h("footer", { class: "wc-actions" },
        btn("services", H.t("act_services")),
        btn("posts", H.t("act_posts")),
        btn("move", H.t("act_move")),
        w.status !== "closed" ? btn("close", H.t("act_close"), "danger") : null));
  }

  function renderMap() {
    const map = $("window-map");
    map.textContent = "";
    windowsInOrder().forEach(function (w) { map.appendChild(windowCard(w)); });
  }

  function renderQueues() {
    const body = $("queue-body");
    body.textContent = "";
    state.services.forEach(function (s) {
      const n = state.waiting[s.code] || 0;
      const wins = servingWindows(s.code);
      const served = wins.some(staffed);
      const longest = n ? longestMinutes(s.code) : null;
      const warn = n > 0 && !served;
      body.appendChild(H.h("tr", { class: warn ? "warn" : "", dataset: { service: s.code, waiting: n } },
        H.h("td", {}, H.h("span", { class: "svc-letter num", text: s.prefix }), " ", H.h("b", { text: s.name })),
        H.h("td", { class: "r num", "data-role": "waiting" }, H.h("b", { class: n ? "" : "zero", text: String(n) })),
        H.h("td", { class: "r num nowrap" + (longest !== null && longest >= 30 ? " long" : ""), "data-role": "longest",
          text: longest === null ? H.t("longest_none") : H.t("longest_min", { n: longest }) }),
        H.h("td", { class: "wins", "data-role": "windows" },
          wins.length ? wins.map(function (w) {
            return H.h("span", { class: "wn num " + (staffed(w) ? "on" : "off"), title: H.t("window_" + w.status), text: String(w.number) });
          }) : null,
          warn ? H.h("span", { class: "pill bad", text: wins.length ? H.t("no_window") : H.t("none_served") }) : null),
        H.h("td", { class: "act" }, n ? H.h("button", {
          type: "button", class: "btn ghost sm", text: H.t("move_short"),
          onclick: function () { prefillMove("service", s.code); },
        }) : null)));
    });
  }

  function renderAlarms() {
    const banner = $("alarm-banner");
    const list = $("alarm-list");
    list.textContent = "";
    const alarms = Array.from(state.alarms.values()).sort(function (a, b) { return a.window.number - b.window.number; });
    banner.hidden = alarms.length === 0;
    $("alarm-title").textContent = H.t("alarm_title", { n: alarms.length });
    alarms.forEach(function (a) {
      const w = state.windows.get(a.window.id);
      const n = w ? strandedWaiting(w) : a.waiting || 0;
      list.appendChild(H.h("li", { dataset: { windowId: a.window.id } },
        H.h("b", { text: H.t("alarm_line", { window: a.window.number, n: n }) }),
        H.h("span", { class: "who" }, H.t("post_a") + " ", personSpan(a.a), "  " + H.t("post_b") + " ", personSpan(a.b)),
        a.since ? H.h("span", { class: "since num", text: H.t("alarm_since", { time: H.shortTime(a.since, state.timezone) }) }) : null,
        H.h("span", { class: "alarm-acts" },
          H.h("button", { type: "button", class: "btn sm", text: H.t("act_posts"), onclick: function () { editPosts(a.window.id); } }),
          H.h("button", { type: "button", class: "btn amber sm", text: H.t("act_move"), onclick: function () { prefillMove("window", a.window.id); } }))));
    });
  }

  function renderSummary() {
    const all = windowsInOrder();
    const open = all.filter(function (w) { return w.status === "open"; }).length;
    $("sum-open").textContent = H.t("open_summary", { open: open, total: all.length });
    let total = 0;
    state.services.forEach(function (s) { total += state.waiting[s.code] || 0; });
    $("sum-waiting").textContent = H.t("waiting_summary", { n: total });
  }

  // ── forms: move a service, move waiting citizens ───────────
  function serviceOptions() {
    return state.services.map(function (s) { return { value: s.code, text: H.t("service_opt", { prefix: s.prefix, name: s.name }) }; });
  }
  function windowOption(w) {
    return { value: String(w.id), text: w.services.length ? H.t("window_opt", { n: w.number, services: w.services.join("、") }) : H.t("window_opt_empty", { n: w.number }) };
  }

  function refreshForms() {
    const svc = $("ms-service");
    H.fillSelect(svc, serviceOptions());
    const code = svc.value;
    const from = $("ms-from");
    const to = $("ms-to");
    const serving = servingWindows(code);
    const fromKeep = from.dataset.touched ? from.value : (serving[0] ? String(serving[0].id) : "");
    H.fillSelect(from, serving.map(windowOption).concat([{ value: "", text: H.t("only_add") }]), fromKeep);
    H.fillSelect(to, [{ value: "", text: H.t("choose") }].concat(windowsInOrder()
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
      lines.push(H.t("services_change", {
        window: plan.from.number, before: codesText(plan.from.services),
        after: codesText(plan.from.services.filter(function (c) { return c !== plan.code; })),
      }));
    }
    if (plan.to) {
      lines.push(H.t("services_change", {
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
    if (plan.from && plan.from.id === plan.to.id) { H.say("error", H.t("same_window")); return; }
    if (plan.to.services.indexOf(plan.code) !== -1) { H.say("error", H.t("already_served", { to: plan.to.number })); return; }
    const name = serviceName(plan.code);
    const n = state.waiting[plan.code] || 0;
    const body = [plan.from
      ? H.t("confirm_move_service", { service: name, from: plan.from.number, to: plan.to.number })
      : H.t("confirm_add_service", { service: name, to: plan.to.number })];
    body.push(H.h("ul", { class: "plan" }, planLines(plan).map(function (l) { return H.h("li", { text: l }); })));
    if (n) body.push(H.t("confirm_waiting_note", { n: n, service: name }));
    const ok = await H.confirmDialog({
      title: H.t(plan.from ? "confirm_move_service_title" : "confirm_add_service_title"),
      body: body, ok: H.t("move_service_btn"),
    });
    if (!ok) return;
    const btn = $("ms-submit");
    btn.disabled = true;
    try {
      // add first, then remove: the service is never left without a window in between
      const toView = await H.api("PUT", "/api/v1/windows/" + plan.to.id + "/services",
        { services: plan.to.services.concat([plan.code]) });
      upsertWindow(toView);
      if (plan.from) {
        const fromView = await H.api("PUT", "/api/v1/windows/" + plan.from.id + "/services",
          { services: plan.from.services.filter(function (c) { return c !== plan.code; }) });
        upsertWindow(fromView);
        H.say("ok", H.t("moved_service_ok", { service: name, from: plan.from.number, to: plan.to.number }));
      } else {
        H.say("ok", H.t("added_service_ok", { service: name, to: plan.to.number }));
      }
      $("ms-from").dataset.touched = "";
      $("ms-to").value = "";
    } catch (err) {
      H.sayError(err);
    } finally {
      btn.disabled = false;
      render();
    }
  }

  function fillMoveSide(side) {
    const kind = $("mt-" + side + "-kind");
    if (!kind.options.length) {
      H.fillSelect(kind, [{ value: "service", text: H.t("by_service") }, { value: "window", text: H.t("by_window") }]);
    }
    const sel = $("mt-" + side);
    const keep = sel.dataset.want !== undefined && sel.dataset.want !== "" ? sel.dataset.want : sel.value;
    const options = kind.value === "window"
      ? windowsInOrder().map(windowOption)
      : serviceOptions().map(function (o) {
        const n = state.waiting[o.value] || 0;
        return { value: o.value, text: o.text + (n ? "（" + H.t("people_n", { n: n }) + "）" : "") };
      });
    H.fillSelect(sel, [{ value: "", text: H.t("choose") }].concat(options), keep);
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
      return H.t("target_window", { n: w ? w.number : spec.window });
    }
    return H.t("target_service", { name: serviceName(spec.service) });
  }
  function numbersText(numbers) {
    const shown = numbers.slice(0, 12).join("、");
    return numbers.length > 12 ? shown + H.t("more_numbers", { n: numbers.length }) : shown;
  }

  async function moveTickets(ev) {
    ev.preventDefault();
    const from = moveSpec("from");
    const to = moveSpec("to");
    if (!from) { $("mt-from").focus(); return; }
    if (!to) { $("mt-to").focus(); return; }
    if (JSON.stringify(from) === JSON.stringify(to)) { H.say("error", H.t("same_source")); return; }
    const reason = $("mt-reason").value.trim();
    const body = { from: from, to: to, confirm: false };
    if (reason) body.reason = reason;
    const btn = $("mt-submit");
    btn.disabled = true;
    try {
      const preview = await H.api("POST", "/api/v1/halls/" + encodeURIComponent(hall) + "/move-tickets", body);
      if (!preview.count) { H.say("info", H.t("move_preview_none")); return; }
      const ok = await H.confirmDialog({
        title: H.t("confirm_move_title"),
        body: [
          H.h("p", { class: "big", text: H.t("confirm_move", { n: preview.count, numbers: numbersText(preview.numbers) }) }),
          H.t("confirm_move_target", { from: specText(from), to: specText(to) }),
        ],
        ok: H.t("move_btn"),
      });
      if (!ok) return;
      const done = await H.api("POST", "/api/v1/halls/" + encodeURIComponent(hall) + "/move-tickets",
        Object.assign({}, body, { confirm: true }));
      H.say("ok", H.t("moved_ok", { n: done.moved }));
      $("mt-reason").value = "";
    } catch (err) {
      H.sayError(err);
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
    if (act === "services") editServices(id);
    else if (act === "posts") editPosts(id);
    else if (act === "move") prefillMove("window", id);
    else if (act === "close") closeWindow(id);
  }

  function serviceRow(code, checked) {
    const s = service(code);
    const li = H.h("li", { dataset: { service: code } },
      H.h("label", {},
        H.h("input", { type: "checkbox", checked: checked ? true : null }),
        H.h("span", { class: "svc-letter num", text: s.prefix }), " " + s.name),
      H.h("span", { class: "order" },
        H.h("button", { type: "button", class: "btn ghost xs", "aria-label": "↑", text: "↑", onclick: function () {
          if (li.previousElementSibling) li.parentNode.insertBefore(li, li.previousElementSibling);
        } }),
        H.h("button", { type: "button", class: "btn ghost xs", "aria-label": "↓", text: "↓", onclick: function () {
          if (li.nextElementSibling) li.parentNode.insertBefore(li.nextElementSibling, li);
        } })));
    return li;
  }

  async function editServices(id) {
    const w = state.windows.get(id);
    if (!w) return;
    const dlg = $("services-dialog");
    $("services-title").textContent = H.t("confirm_services_title", { window: w.number });
    const list = $("service-order");
    list.textContent = "";
    w.services.forEach(function (c) { list.appendChild(serviceRow(c, true)); });
    state.services.forEach(function (s) { if (w.services.indexOf(s.code) === -1) list.appendChild(serviceRow(s.code, false)); });
    const data = await H.formDialog(dlg);
    if (!data) return;
    const codes = Array.from(list.querySelectorAll("li")).filter(function (li) {
      return li.querySelector("input").checked;
    }).map(function (li) { return li.dataset.service; });
    if (codes.join(",") === w.services.join(",")) return;
    const removed = w.services.filter(function (c) { return codes.indexOf(c) === -1; });
    const body = [H.t("services_change", { window: w.number, before: codesText(w.services), after: codesText(codes) })];
    removed.forEach(function (c) {
      const others = servingWindows(c).filter(function (x) { return x.id !== w.id && staffed(x); });
      const n = state.waiting[c] || 0;
      if (!others.length && n) body.push(H.h("p", { class: "warn", text: H.t("orphan_warning", { service: serviceName(c), n: n }) }));
    });
    const ok = await H.confirmDialog({ title: H.t("confirm_services_title", { window: w.number }), body: body, ok: H.t("save") });
    if (!ok) return;
    try {
      upsertWindow(await H.api("PUT", "/api/v1/windows/" + id + "/services", { services: codes }));
      H.say("ok", H.t("services_saved", { window: w.number }));
    } catch (err) {
      H.sayError(err);
    }
  }

  async function editPosts(id) {
    const w = state.windows.get(id);
    if (!w) return;
    $("posts-title").textContent = H.t("posts_title", { window: w.number });
    const options = [{ value: "", text: H.t("post_vacant") }].concat(state.clerks.map(function (u) {
      return { value: u.username, text: u.name + (u.badge ? " · " + u.badge : "") + "（" + u.username + "）" };
    }));
    H.fillSelect($("post-a"), options, w.posts && w.posts.a ? w.posts.a.username : "");
    H.fillSelect($("post-b"), options, w.posts && w.posts.b ? w.posts.b.username : "");
    const data = await H.formDialog($("posts-dialog"));
    if (!data) return;
    try {
      const res = await H.api("PUT", "/api/v1/windows/" + id + "/posts", { a: data.get("a") || null, b: data.get("b") || null });
      const cur = state.windows.get(id);
      if (cur) cur.posts = { a: res.a, b: res.b };
      render();
      refreshWindow(id);
      H.say("ok", H.t("posts_saved", {
        window: w.number,
        a: res.a ? res.a.name : H.t("post_vacant"),
        b: res.b ? res.b.name : H.t("post_vacant"),
      }));
    } catch (err) {
      H.sayError(err);
    }
  }

  async function closeWindow(id) {
    const w = state.windows.get(id);
    if (!w) return;
    const reason = H.h("input", { class: "input", type: "text", maxlength: "300", placeholder: H.t("close_reason"), "aria-label": H.t("close_reason") });
    const ok = await H.confirmDialog({
      title: H.t("confirm_close_title", { window: w.number }),
      body: [w.clerk ? H.t("confirm_close", { name: w.clerk.name }) : H.t("confirm_close_empty"), reason],
      ok: H.t("close_btn"), danger: true,
    });
    if (!ok) return;
    try {
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      upsertWindow(await H.api("POST", "/api/v1/windows/" + id + "/close", body));
      H.say("ok", H.t("closed_ok", { window: w.number }));
    } catch (err) {
      H.sayError(err);
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
      const view = await H.api("GET", "/api/v1/windows/" + id);
      mergeWaiting(view.waiting || [], false);
      delete view.waiting;
      delete view.covering;
      upsertWindow(view);
    } catch (e) { /* the next event brings it */ }
  }

  function mergeWaiting(list, replace) {
    list.forEach(function (t) {
      if (state.gone.has(t.id)) return;
      if (t.status === "waiting") state.tickets.set(t.id, { id: t.id, number: t.number, service: t.service, queued_at: t.queued_at });
    });
    if (replace) render();
  }

  /** Every window's waiting list, read again: the basis of "longest wait". */
  async function loadTickets() {
    state.gone = new Set();
    const ids = windowsInOrder().map(function (w) { return w.id; });
    const results = await Promise.all(ids.map(function (id) {
      return H.api("GET", "/api/v1/windows/" + id).catch(function () { return null; });
    }));
    const fresh = new Map();
    results.forEach(function (view) {
      if (!view) return;
      (view.waiting || []).forEach(function (t) {
        if (t.status === "waiting" && !state.gone.has(t.id)) {
          fresh.set(t.id, { id: t.id, number: t.number, service: t.service, queued_at: t.queued_at });
        }
      });
    });
    state.tickets = fresh;
    render();
  }
  const reloadTickets = H.debounce(function () { loadTickets().catch(function () { /* next time */ }); }, 800);

  async function loadAlarms() {
    const res = await H.api("GET", "/api/v1/halls/" + encodeURIComponent(hall) + "/alarms");
    state.alarms = new Map();
    (res.alarms || []).forEach(function (a) { state.alarms.set(a.window.id, a); });
    render();
  }

  async function loadClerks() {
    const res = await H.api("GET", "/api/v1/halls/" + encodeURIComponent(hall) + "/users");
    state.clerks = (res.users || []).filter(function (u) { return u.role === "clerk" && u.active; });
  }

  function applySnapshot(snap) {
    if (snap.hall) {
      state.timezone = snap.hall.timezone;
      $("hall-name").textContent = snap.hall.name;
    }
    state.services = snap.services || [];
    state.waiting = Object.assign({}, snap.waiting || {});
    state.windows = new Map();
    (snap.windows || []).forEach(function (w) { state.windows.set(w.id, w); });
    state.ready = true;
    render();
  }

  function applyTicket(t) {
    if (!t || !t.id) return;
    if (t.status === "waiting") {
      state.tickets.set(t.id, { id: t.id, number: t.number, service: t.service, queued_at: t.queued_at });
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
    if (d.waiting && typeof d.waiting === "object") {
      if (env.type === "queue.updated" || env.type === "queue.moved") state.waiting = Object.assign({}, state.waiting, d.waiting);
      else Object.assign(state.waiting, d.waiting);
    }
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
          H.say("error", H.t("alarm_raised", { window: d.window.number, n: d.waiting || 0 }), 10000);
        }
        break;
      case "window.alarm_cleared":
        if (d.window && state.alarms.has(d.window.id)) {
          state.alarms.delete(d.window.id);
          H.say("ok", H.t("alarm_cleared", { window: d.window.number }));
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
  let clock = null;
  setInterval(function () {
    if (!clock && state.timezone) clock = H.clock(state.timezone);
    if (clock) clockEl.textContent = clock().time;
  }, 1000);
  // the longest waits grow by the minute without any event
  setInterval(function () { if (state.ready) renderQueues(); }, 30000);
  // and the waiting lists are read again now and then, in case an event was too terse
  setInterval(function () { if (state.ready) reloadTickets(); }, 120000);

  (async function start() {
    loadClerks().catch(function (err) { H.sayError(err); });
    let first = true;
    H.live({
      hall: hall,
      onSnapshot: function (snap) {
        applySnapshot(snap);
        loadTickets().catch(function () { /* next event */ });
        loadAlarms().catch(function (err) { if (first) H.sayError(err); });
        first = false;
      },
      onEvent: onEvent,
    });
  })();
})();
