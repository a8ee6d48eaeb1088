/* hallq — administration pages (系统设置): hall settings and opening hours, halls, services,
 * windows, people, device tokens. One file, one small module per page (data-page on #admin).
 * Every change goes through the administration API; its error.message is shown as is. */
(function () {
  "use strict";
  const H = window.hallq;
  const root = document.getElementById("admin");
  const hall = root.dataset.hall;
  const role = root.dataset.role;
  const hallPath = "/api/v1/halls/" + encodeURIComponent(hall);
  const $ = function (id) { return document.getElementById(id); };
  const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  let timezone;   // the hall's, for the times shown (a browser may sit in another zone)

  /** Runs an async submit with its button disabled; errors become toasts. */
  function busy(button, fn) {
    return async function (ev) {
      if (ev) ev.preventDefault();
      if (button) button.disabled = true;
      try {
        await fn(ev);
      } catch (err) {
        H.sayError(err);
      } finally {
        if (button) button.disabled = false;
      }
    };
  }

  function emptyRow(body, cols, text) {
    body.appendChild(H.h("tr", { class: "empty-row" }, H.h("td", { colspan: String(cols), text: text })));
  }

  function pageHref(path, code) {
    return path + (role === "admin" ? "?hall=" + encodeURIComponent(code || hall) : "");
  }

  // ── hall settings: name, timezone, opening hours ───────────
  function hallPage() {
    let hours = {};
    const form = $("hall-form");

    function spanRow(day, span, i) {
      const start = H.h("input", { type: "time", step: "300", value: span[0], required: true, "aria-label": H.t("day_" + day) + " " + (i + 1) });
      const end = H.h("input", { type: "time", step: "300", value: span[1], required: true, "aria-label": H.t("day_" + day) + " " + (i + 1) });
      start.addEventListener("change", function () { hours[day][i][0] = start.value; });
      end.addEventListener("change", function () { hours[day][i][1] = end.value; });
      return H.h("span", { class: "span" }, start, H.h("span", { class: "dash", text: "–" }), end,
        H.h("button", { type: "button", class: "btn ghost xs danger", title: H.t("remove_span"), "aria-label": H.t("remove_span"), text: "×",
          onclick: function () { hours[day].splice(i, 1); renderHours(); } }));
    }

    function renderHours() {
      const body = $("hours-body");
      body.textContent = "";
      const always = $("hs-always").checked;
      DAYS.forEach(function (day) {
        const spans = hours[day] || (hours[day] = []);
        body.appendChild(H.h("tr", { dataset: { day: day }, class: spans.length ? "" : "off" },
          H.h("th", { text: H.t("day_" + day) }),
          H.h("td", { class: "spans" },
            spans.length ? spans.map(function (s, i) { return spanRow(day, s, i); }) : H.h("span", { class: "muted", text: H.t("closed_day") })),
          H.h("td", { class: "act" }, H.h("button", {
            type: "button", class: "btn ghost sm", text: H.t("add_span"),
            onclick: function () {
              const last = spans[spans.length - 1];
              spans.push(last ? [last[1], last[1] < "17:30" ? "17:30" : last[1]] : ["08:30", "12:00"]);
              renderHours();
            },
          }))));
      });
      $("hours-table").classList.toggle("disabled", always);
      $("hours-table").querySelectorAll("input, button").forEach(function (el) { el.disabled = always; });
      $("hs-presets").querySelectorAll("button").forEach(function (el) { el.disabled = always; });
    }

    $("hs-presets").addEventListener("click", function (ev) {
      const b = ev.target.closest("button[data-preset]");
      if (!b) return;
      if (b.dataset.preset === "weekdays") {
        ["mon", "tue", "wed", "thu", "fri"].forEach(function (d) { hours[d] = [["08:30", "12:00"], ["13:30", "17:30"]]; });
      } else if (b.dataset.preset === "saturday") {
        hours.sat = [["09:00", "12:00"]];
      } else if (b.dataset.preset === "copy") {
        ["tue", "wed", "thu", "fri"].forEach(function (d) { hours[d] = (hours.mon || []).map(function (s) { return s.slice(); }); });
      }
      renderHours();
    });
    $("hs-always").addEventListener("change", renderHours);

    function show(h) {
      $("hs-code").textContent = h.code;
      $("hs-name").value = h.name;
      $("hs-tz").value = h.timezone;
      $("hs-always").checked = h.opening_hours === null || h.opening_hours === undefined;
      hours = {};
      DAYS.forEach(function (d) {
        hours[d] = ((h.opening_hours || {})[d] || []).map(function (s) { return [s[0], s[1]]; });
      });
      renderHours();
    }

    form.addEventListener("submit", busy($("hs-save"), async function () {
      if (!form.reportValidity()) return;
      const body = { name: $("hs-name").value.trim(), timezone: $("hs-tz").value.trim() };
      if ($("hs-always").checked) {
        body.opening_hours = null;
      } else {
        body.opening_hours = {};
        DAYS.forEach(function (d) {
          if (hours[d] && hours[d].length) body.opening_hours[d] = hours[d].map(function (s) { return [s[0], s[1]]; });
        });
      }
      show(await H.api("PATCH", hallPath, body));
      H.say("ok", H.t("saved"));
    }));

    H.api("GET", "/api/v1/halls").then(function (res) {
      const h = (res.halls || []).find(function (x) { return x.code === hall; });
      if (h) show(h);
    }).catch(H.sayError);
  }

  // ── halls ───────────────────────────────────────────────────
  function hallsPage() {
    async function load() {
      const res = await H.api("GET", "/api/v1/halls");
      const body = $("halls-body");
      body.textContent = "";
      (res.halls || []).forEach(function (h) {
        const days = h.opening_hours ? Object.keys(h.opening_hours).filter(function (d) { return h.opening_hours[d].length; }) : null;
        body.appendChild(H.h("tr", { class: h.code === hall ? "current" : "", dataset: { hall: h.code } },
          H.h("td", { class: "num" }, H.h("b", { text: h.code })),
          H.h("td", { text: h.name }),
          H.h("td", { class: "num", text: h.timezone }),
          H.h("td", { class: "sub-cell", text: days === null ? "24 × 7" : days.map(function (d) {
            return H.t("day_" + d) === "day_" + d ? d : H.t("day_" + d);
          }).join(" ") }),
          H.h("td", { class: "act" }, role === "admin" ? H.h("a", { class: "btn ghost sm", href: pageHref("/admin/", h.code), text: H.t("manage_it") }) : null)));
      });
    }
    const form = $("hall-create");
    if (form) {
      form.addEventListener("submit", busy(form.querySelector("button[type=submit]"), async function () {
        if (!form.reportValidity()) return;
        const made = await H.api("POST", "/api/v1/halls", {
          code: $("nh-code").value.trim(), name: $("nh-name").value.trim(), timezone: $("nh-tz").value.trim() || "Asia/Shanghai",
        });
        H.say("ok", H.t("created", { name: made.name }));
        form.reset();
        await load();
      }));
    }
    load().catch(H.sayError);
  }

  // ── services ────────────────────────────────────────────────
  function servicesPage() {
    let services = [];
    try { services = JSON.parse($("services-data").textContent || "[]"); } catch (e) { services = []; }
    const form = $("service-form");
    let editing = null;

    function render() {
      const body = $("services-body");
      body.textContent = "";
      services.slice().sort(function (a, b) { return a.sort - b.sort || (a.code < b.code ? -1 : 1); }).forEach(function (s) {
        body.appendChild(H.h("tr", { class: (s.active ? "" : "inactive") + (editing === s.code ? " editing" : ""), dataset: { service: s.code } },
          H.h("td", {}, H.h("span", { class: "svc-letter num", text: s.prefix })),
          H.h("td", { class: "num", text: s.code }),
          H.h("td", {}, H.h("b", { text: s.name })),
          H.h("td", { class: "muted", text: s.name_en || "" }),
          H.h("td", { text: s.category || "" }),
          H.h("td", { class: "r num", text: String(s.sort) }),
          H.h("td", {}, H.h("span", { class: "pill " + (s.active ? "ok" : "muted"), text: H.t(s.active ? "active" : "inactive") })),
          H.h("td", { class: "act" }, H.h("button", { type: "button", class: "btn ghost sm", text: H.t("edit"), onclick: function () { edit(s); } }))));
      });
      const cats = $("category-list");
      cats.textContent = "";
      Array.from(new Set(services.map(function (s) { return s.category; }).filter(Boolean))).forEach(function (c) {
        cats.appendChild(H.h("option", { value: c }));
      });
    }

    function edit(s) {
      editing = s ? s.code : null;
      $("svc-form-title").textContent = s ? H.t("edit_title", { code: s.code }) : H.t("new_title");
      $("sv-code").value = s ? s.code : "";
      $("sv-code").readOnly = !!s;
      $("sv-prefix").value = s ? s.prefix : "";
      $("sv-name").value = s ? s.name : "";
      $("sv-name-en").value = s ? s.name_en || "" : "";
      $("sv-category").value = s ? s.category || "" : "";
      $("sv-sort").value = s ? s.sort : (services.reduce(function (m, x) { return Math.max(m, x.sort); }, -1) + 1);
      $("sv-active").checked = s ? s.active : true;
      render();
      $("service-form").scrollIntoView({ behavior: "smooth", block: "center" });
      if (s) $("sv-name").focus({ preventScroll: true });
      else $("sv-code").focus({ preventScroll: true });
    }

    $("sv-code").addEventListener("input", function () {
      if (!editing && !$("sv-prefix").dataset.touched) $("sv-prefix").value = $("sv-code").value.toUpperCase().replace(/[^A-Z]/g, "").slice(0, 2);
    });
    $("sv-prefix").addEventListener("input", function () {
      $("sv-prefix").dataset.touched = "1";
      $("sv-prefix").value = $("sv-prefix").value.toUpperCase();
    });
    $("sv-reset").addEventListener("click", function () { $("sv-prefix").dataset.touched = ""; edit(null); });
    form.addEventListener("submit", busy($("sv-save"), async function () {
      if (!form.reportValidity()) return;
      const code = $("sv-code").value.trim();
      const view = await H.api("PUT", hallPath + "/services/" + encodeURIComponent(code), {
        prefix: $("sv-prefix").value.trim(),
        name: $("sv-name").value.trim(),
        name_en: $("sv-name-en").value.trim(),
        category: $("sv-category").value.trim(),
        sort: parseInt($("sv-sort").value, 10) || 0,
        active: $("sv-active").checked,
      });
      const i = services.findIndex(function (s) { return s.code === view.code; });
      if (i === -1) services.push(view); else services[i] = view;
      H.say("ok", H.t("saved", { name: view.name }));
      edit(view);
    }));
    render();
    $("sv-sort").value = services.reduce(function (m, x) { return Math.max(m, x.sort); }, -1) + 1;
  }

  // ── windows ─────────────────────────────────────────────────
  function windowsPage() {
    async function load() {
      const snap = await H.api("GET", hallPath + "/snapshot");
      const body = $("windows-body");
      body.textContent = "";
      (snap.windows || []).forEach(function (w) {
        const person = function (p) { return p ? p.name : H.t("none"); };
        body.appendChild(H.h("tr", { dataset: { windowId: w.id } },
          H.h("td", { class: "nowrap" }, H.h("b", { text: H.t("window_n", { n: w.number }) })),
          H.h("td", { text: w.name }),
          H.h("td", {}, H.h("span", { class: "pill " + w.status, text: H.t("window_" + w.status) })),
          H.h("td", { class: "num", text: w.services.join("、") || H.t("none") }),
          H.h("td", { text: person(w.posts && w.posts.a) }),
          H.h("td", { text: person(w.posts && w.posts.b) }),
          H.h("td", { class: "act" }, H.h("a", { class: "btn ghost sm", target: "_blank", rel: "noopener",
            href: "/board/" + encodeURIComponent(hall) + "/window/" + w.id, text: H.t("board_link") }))));
      });
      const next = (snap.windows || []).reduce(function (m, w) { return Math.max(m, w.number); }, 0) + 1;
      if (!$("nw-number").value) $("nw-number").value = next;
    }
    const form = $("window-form");
    form.addEventListener("submit", busy(form.querySelector("button[type=submit]"), async function () {
      if (!form.reportValidity()) return;
      const body = { number: parseInt($("nw-number").value, 10) };
      if ($("nw-name").value.trim()) body.name = $("nw-name").value.trim();
      const made = await H.api("POST", hallPath + "/windows", body);
      H.say("ok", H.t("created", { n: made.number }));
      form.reset();
      await load();
    }));
    load().catch(H.sayError);
  }

  // ── people ──────────────────────────────────────────────────
  function peoplePage() {
    let people = [];
    async function load() {
      people = (await H.api("GET", hallPath + "/users")).users || [];
      const body = $("people-body");
      body.textContent = "";
      people.forEach(function (u) {
        body.appendChild(H.h("tr", { class: u.active ? "" : "inactive", dataset: { username: u.username } },
          H.h("td", {}, H.h("b", { text: u.name })),
          H.h("td", { class: "num", text: u.username }),
          H.h("td", { class: "num", text: u.badge || "" }),
          H.h("td", { text: H.t("role_" + u.role) }),
          H.h("td", {}, H.h("span", { class: "pill " + (u.active ? "ok" : "muted"), text: H.t(u.active ? "active" : "inactive") })),
          H.h("td", { class: "act" }, H.h("button", { type: "button", class: "btn ghost sm", text: H.t("edit"), onclick: function () { edit(u); } }))));
      });
    }
    async function edit(u) {
      $("person-dialog-title").textContent = H.t("edit_title", { name: u.name, username: u.username });
      $("ep-name").value = u.name;
      $("ep-badge").value = u.badge || "";
      $("ep-password").value = "";
      $("ep-active").checked = u.active;
      const data = await H.formDialog($("person-dialog"));
      if (!data) return;
      const body = { name: $("ep-name").value.trim(), badge: $("ep-badge").value.trim(), active: $("ep-active").checked };
      if ($("ep-password").value) body.password = $("ep-password").value;
      try {
        const saved = await H.api("PATCH", "/api/v1/users/" + encodeURIComponent(u.username), body);
        H.say("ok", H.t("saved", { name: saved.name }));
        await load();
      } catch (err) {
        H.sayError(err);
      }
    }
    const form = $("person-form");
    form.addEventListener("submit", busy(form.querySelector("button[type=submit]"), async function () {
      if (!form.reportValidity()) return;
      const made = await H.api("POST", hallPath + "/users", {
        name: $("np-name").value.trim(), username: $("np-username").value.trim(), badge: $("np-badge").value.trim() || null,
        role: $("np-role").value, password: $("np-password").value,
      });
      H.say("ok", H.t("created", { name: made.name }));
      form.reset();
      await load();
    }));
    load().catch(H.sayError);
  }

  // ── devices ─────────────────────────────────────────────────
  function devicesPage() {
    async function load() {
      const res = await H.api("GET", hallPath + "/devices");
      const body = $("devices-body");
      body.textContent = "";
      (res.devices || []).forEach(function (d) {
        const label = d.label || H.t("no_label");
        body.appendChild(H.h("tr", { class: d.revoked ? "inactive" : "", dataset: { deviceId: d.id, role: d.role } },
          H.h("td", { class: "num muted", text: String(d.id) }),
          H.h("td", {}, H.h("b", { text: label })),
          H.h("td", { class: "nowrap", text: H.t("role_" + d.role) }),
          H.h("td", { class: "num", text: d.user || "" }),
          H.h("td", { class: "num nowrap", text: H.dayTime(d.created_at, timezone) }),
          H.h("td", {}, H.h("span", { class: "pill " + (d.revoked ? "muted" : "ok"), text: H.t(d.revoked ? "revoked" : "in_use") })),
          H.h("td", { class: "act" }, d.revoked ? null : H.h("button", {
            type: "button", class: "btn ghost sm danger", text: H.t("revoke"),
            onclick: function () { revoke(d, label); },
          }))));
      });
      if (!(res.devices || []).length) emptyRow(body, 7, H.t("no_devices"));
    }

    async function revoke(d, label) {
      const ok = await H.confirmDialog({
        title: H.t("confirm_revoke_title"), body: H.t("confirm_revoke", { label: label }), ok: H.t("revoke"), danger: true,
      });
      if (!ok) return;
      try {
        await H.api("POST", "/api/v1/devices/" + d.id + "/revoke", {});
        H.say("ok", H.t("revoked_ok", { label: label }));
        await load();
      } catch (err) {
        H.sayError(err);
      }
    }

    function showToken(made) {
      const origin = window.location.origin;
      const t = encodeURIComponent(made.token);
      $("tr-label").textContent = (made.label || H.t("no_label")) + " · " + H.t("role_" + made.role);
      $("tr-token").textContent = made.token;
      let url = "";
      let note = "";
      let extra = "";
      if (made.role === "kiosk") {
        note = H.t("url_kiosk");
        url = origin + "/kiosk/" + encodeURIComponent(hall) + "?token=" + t;
      } else if (made.role === "board") {
        note = H.t("url_board");
        url = origin + "/board/" + encodeURIComponent(hall) + "?token=" + t;
        extra = H.t("url_window_board") + ": " + origin + "/board/" + encodeURIComponent(hall) + "/window/1?token=" + t;
      } else {
        note = H.t("url_clerk");
        url = "Authorization: Bearer " + made.token;
      }
      $("tr-url-note").textContent = note;
      $("tr-url").textContent = url;
      $("tr-extra").textContent = extra;
      $("tr-extra").hidden = !extra;
      $("token-result").hidden = false;
      $("token-result").scrollIntoView({ behavior: "smooth", block: "nearest" });
    }

    document.addEventListener("click", function (ev) {
      const b = ev.target.closest("button[data-copy]");
      if (!b) return;
      const text = $(b.dataset.copy).textContent;
      const done = function () { H.say("ok", H.t("copied")); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done).catch(function () { selectText($(b.dataset.copy)); });
      } else {
        selectText($(b.dataset.copy));
        try { if (document.execCommand("copy")) done(); } catch (e) { /* selected: the user copies */ }
      }
    });
    function selectText(el) {
      const range = document.createRange();
      range.selectNodeContents(el);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }

    function roleChanged() {
      const clerk = $("dv-role").value === "clerk";
      $("dv-user-field").hidden = !clerk;
      $("dv-user").required = clerk;
    }
    $("dv-role").addEventListener("change", roleChanged);
    H.api("GET", hallPath + "/users").then(function (res) {
      H.fillSelect($("dv-user"), [{ value: "", text: "—" }].concat((res.users || []).filter(function (u) {
        return u.active && (u.role === "clerk" || u.role === "manager");
      }).map(function (u) { return { value: u.username, text: u.name + "（" + u.username + "）" }; })));
    }).catch(function () { /* the list stays empty */ });

    const form = $("device-form");
    form.addEventListener("submit", busy($("dv-issue"), async function () {
      if (!form.reportValidity()) return;
      const body = { role: $("dv-role").value, label: $("dv-label").value.trim() };
      if (body.role === "clerk") {
        if (!$("dv-user").value) { H.say("error", H.t("clerk_needed")); return; }
        body.user = $("dv-user").value;
      }
      const made = await H.api("POST", hallPath + "/devices", body);
      showToken(made);
      H.say("ok", H.t("issued_ok", { label: made.label || H.t("no_label") }));
      $("dv-label").value = "";
      await load();
    }));
    roleChanged();
    load().catch(H.sayError);
  }

  const pages = { hall: hallPage, halls: hallsPage, services: servicesPage, windows: windowsPage, people: peoplePage, devices: devicesPage };
  H.api("GET", hallPath).then(function (info) { timezone = info.timezone; }).catch(function () { /* browser's zone */ })
    .then(function () { if (pages[root.dataset.page]) pages[root.dataset.page](); });
})();
