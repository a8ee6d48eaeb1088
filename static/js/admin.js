/* hallq — administration pages (系统设置): hall settings and opening hours, halls, services,
 * windows, people, device tokens. One file, one small module per page (data-page on #admin).
 * Every change goes through the administration API; its error.message is shown as is. */
import { tr } from "./lib/i18n.js";
import { $, fillSelect, h } from "./lib/dom.js";
import { dayTime } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";
import { confirmDialog, formDialog } from "./lib/dialogs.js";
import { pages } from "./lib/links.js";

const root = document.getElementById("admin");
const hall = root.dataset.hall;
const role = root.dataset.role;
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
      sayError(err);
    } finally {
      if (button) button.disabled = false;
    }
  };
}

/** A "new …" form: POSTs body() to `path`, says what was made, clears the form and reloads the list. */
function createForm(form, path, body, madeText, reload) {
  form.addEventListener("submit", busy(form.querySelector("button[type=submit]"), async function () {
    if (!form.reportValidity()) return;
    const made = await api("POST", path, body());
    say("ok", madeText(made));
    form.reset();
    await reload();
  }));
}

function emptyRow(body, cols, text) {
  body.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: String(cols), text: text })));
}

/** A list page's table: row(item) for each item in the tbody with this id. */
function fillTable(bodyId, items, row) {
  const body = $(bodyId);
  body.textContent = "";
  items.forEach(function (item) { body.appendChild(row(item)); });
  return body;
}

function pageHref(path, code) {
  return path + (role === "admin" ? "?hall=" + encodeURIComponent(code || hall) : "");
}

// ── hall settings: name, timezone, opening hours ───────────
function hallPage() {
  let hours = {};
  const form = $("hall-form");

  function spanRow(day, span, i) {
    const start = h("input", { type: "time", step: "300", value: span[0], required: true, "aria-label": tr("day_" + day) + " " + (i + 1) });
    const end = h("input", { type: "time", step: "300", value: span[1], required: true, "aria-label": tr("day_" + day) + " " + (i + 1) });
    start.addEventListener("change", function () { hours[day][i][0] = start.value; });
    end.addEventListener("change", function () { hours[day][i][1] = end.value; });
    return h("span", { class: "span" }, start, h("span", { class: "dash", text: "–" }), end,
      h("button", { type: "button", class: "btn ghost xs danger", title: tr("remove_span"), "aria-label": tr("remove_span"), text: "×",
        onclick: function () { hours[day].splice(i, 1); renderHours(); } }));
  }

  function renderHours() {
    const body = $("hours-body");
    body.textContent = "";
    const always = $("hs-always").checked;
    DAYS.forEach(function (day) {
      const spans = hours[day] || (hours[day] = []);
      body.appendChild(h("tr", { dataset: { day: day }, class: spans.length ? "" : "off" },
        h("th", { text: tr("day_" + day) }),
        h("td", { class: "spans" },
          spans.length ? spans.map(function (s, i) { return spanRow(day, s, i); }) : h("span", { class: "muted", text: tr("closed_day") })),
        h("td", { class: "act" }, h("button", {
          type: "button", class: "btn ghost sm", text: tr("add_span"),
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

  function show(info) {
    $("hs-code").textContent = info.code;
    $("hs-name").value = info.name;
    $("hs-tz").value = info.timezone;
    $("hs-always").checked = info.opening_hours === null || info.opening_hours === undefined;
    hours = {};
    DAYS.forEach(function (d) {
      hours[d] = ((info.opening_hours || {})[d] || []).map(function (s) { return [s[0], s[1]]; });
    });
    renderHours();
    $("hs-pause-reasons").value = (info.public_pause_reasons || []).join("\n");
    $("hs-commitments").value = info.commitments || "";
    $("hs-complaint-channel").value = info.complaint_channel || "";
    $("hs-wait-target").value = info.wait_target_minutes == null ? "" : String(info.wait_target_minutes);
    $("hs-makeup-weekday").value = info.makeup_weekday && info.makeup_weekday !== "mon" ? info.makeup_weekday : "";
    $("hs-show-satisfaction").checked = !!info.show_satisfaction;
    $("hs-queue-unserved").checked = info.queue_when_unserved !== false;
    $("hs-name-en").value = info.name_en || "";
    $("hs-commitments-en").value = info.commitments_en || "";
  }

  form.addEventListener("submit", busy($("hs-save"), async function () {
    if (!form.reportValidity()) return;
    const body = { name: $("hs-name").value.trim(), timezone: $("hs-tz").value.trim() };
    body.public_pause_reasons = $("hs-pause-reasons").value.split("\n")
      .map(function (x) { return x.trim(); }).filter(function (x) { return x; });
    body.commitments = $("hs-commitments").value.trim() || null;
    body.complaint_channel = $("hs-complaint-channel").value.trim() || null;
    const target = $("hs-wait-target").value.trim();
    body.wait_target_minutes = target ? parseInt(target, 10) : null;
    body.makeup_weekday = $("hs-makeup-weekday").value || null;
    body.show_satisfaction = $("hs-show-satisfaction").checked;
    body.queue_when_unserved = $("hs-queue-unserved").checked;
    body.name_en = $("hs-name-en").value.trim() || null;
    body.commitments_en = $("hs-commitments-en").value.trim() || null;
    if ($("hs-always").checked) {
      body.opening_hours = null;
    } else {
      body.opening_hours = {};
      DAYS.forEach(function (d) {
        if (hours[d] && hours[d].length) body.opening_hours[d] = hours[d].map(function (s) { return [s[0], s[1]]; });
      });
    }
    show(await api("PATCH", paths.hall(hall), body));
    say("ok", tr("saved"));
  }));

  api("GET", paths.halls()).then(function (res) {
    const found = (res.halls || []).find(function (x) { return x.code === hall; });
    if (found) show(found);
  }).catch(sayError);
}

// ── halls ───────────────────────────────────────────────────
function hallsPage() {
  async function load() {
    const res = await api("GET", paths.halls());
    fillTable("halls-body", res.halls || [], function (hv) {
      const days = hv.opening_hours ? Object.keys(hv.opening_hours).filter(function (d) { return hv.opening_hours[d].length; }) : null;
      return h("tr", { class: hv.code === hall ? "current" : "", dataset: { hall: hv.code } },
        h("td", { class: "num" }, h("b", { text: hv.code })),
        h("td", { text: hv.name }),
        h("td", { class: "num", text: hv.timezone }),
        h("td", { class: "sub-cell", text: days === null ? "24 × 7" : days.map(function (d) {
          return tr("day_" + d) === "day_" + d ? d : tr("day_" + d);
        }).join(" ") }),
        h("td", { class: "act" }, role === "admin" ? h("a", { class: "btn ghost sm", href: pageHref("/admin/", hv.code), text: tr("manage_it") }) : null));
    });
  }
  const form = $("hall-create");
  if (form) {
    createForm(form, paths.halls(), function () {
      return { code: $("nh-code").value.trim(), name: $("nh-name").value.trim(), timezone: $("nh-tz").value.trim() || "Asia/Shanghai" };
    }, function (made) { return tr("created", { name: made.name }); }, load);
  }
  load().catch(sayError);
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
      body.appendChild(h("tr", { class: (s.active ? "" : "inactive") + (editing === s.code ? " editing" : ""), dataset: { service: s.code } },
        h("td", {}, h("span", { class: "svc-letter num", text: s.prefix })),
        h("td", { class: "num", text: s.code }),
        h("td", {}, h("b", { text: s.name })),
        h("td", { class: "muted", text: s.name_en || "" }),
        h("td", { text: s.category || "" }),
        h("td", { class: "r num", text: String(s.sort) }),
        h("td", {}, h("span", { class: "pill " + (s.active ? "ok" : "muted"), text: tr(s.active ? "active" : "inactive") })),
        h("td", { class: "act" }, h("button", { type: "button", class: "btn ghost sm", text: tr("edit"), onclick: function () { edit(s); } }))));
    });
    const cats = $("category-list");
    cats.textContent = "";
    Array.from(new Set(services.map(function (s) { return s.category; }).filter(Boolean))).forEach(function (c) {
      cats.appendChild(h("option", { value: c }));
    });
  }

  function edit(s) {
    editing = s ? s.code : null;
    $("svc-form-title").textContent = s ? tr("edit_title", { code: s.code }) : tr("new_title");
    $("sv-code").value = s ? s.code : "";
    $("sv-code").readOnly = !!s;
    $("sv-prefix").value = s ? s.prefix : "";
    $("sv-name").value = s ? s.name : "";
    $("sv-name-en").value = s ? s.name_en || "" : "";
    $("sv-category").value = s ? s.category || "" : "";
    $("sv-category-en").value = s ? s.category_en || "" : "";
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
    const view = await api("PUT", paths.service(hall, code), {
      prefix: $("sv-prefix").value.trim(),
      name: $("sv-name").value.trim(),
      name_en: $("sv-name-en").value.trim(),
      category: $("sv-category").value.trim(),
      category_en: $("sv-category-en").value.trim(),
      sort: parseInt($("sv-sort").value, 10) || 0,
      active: $("sv-active").checked,
    });
    const i = services.findIndex(function (s) { return s.code === view.code; });
    if (i === -1) services.push(view); else services[i] = view;
    say("ok", tr("saved", { name: view.name }));
    edit(view);
  }));
  render();
  $("sv-sort").value = services.reduce(function (m, x) { return Math.max(m, x.sort); }, -1) + 1;
}

// ── windows ─────────────────────────────────────────────────
function windowsPage() {
  async function load() {
    const snap = await api("GET", paths.snapshot(hall));
    const person = function (p) { return p ? p.name : tr("none"); };
    fillTable("windows-body", snap.windows || [], function (w) {
      return h("tr", { dataset: { windowId: w.id } },
        h("td", { class: "nowrap" }, h("b", { text: tr("window_n", { n: w.number }) })),
        h("td", {}, nameForm(w)),
        h("td", {}, h("span", { class: "pill " + w.status, text: tr("window_" + w.status) })),
        h("td", { class: "num", text: w.services.join("、") || tr("none") }),
        h("td", { text: person(w.posts && w.posts.a) }),
        h("td", { text: person(w.posts && w.posts.b) }),
        h("td", { class: "act" }, h("a", { class: "btn ghost sm", target: "_blank", rel: "noopener",
          href: pages.windowBoard(hall, w.id), text: tr("board_link") })));
    });
    const next = (snap.windows || []).reduce(function (m, w) { return Math.max(m, w.number); }, 0) + 1;
    if (!$("nw-number").value) $("nw-number").value = next;
  }
  // a window's name and its English name (English mode shows it; empty: the Chinese)
  function nameForm(w) {
    const name = h("input", { class: "input sm", type: "text", maxlength: "100", value: w.name || "", "aria-label": tr("win_name"), dataset: { role: "name" } });
    const nameEn = h("input", { class: "input sm", type: "text", maxlength: "100", value: w.name_en || "", placeholder: tr("win_name_en"), "aria-label": tr("win_name_en"), dataset: { role: "name-en" } });
    const save = h("button", { type: "submit", class: "btn ghost sm", text: tr("save") });
    return h("form", { class: "inline-form", dataset: { window: w.number },
      onsubmit: busy(save, async function (ev) {
        if (ev) ev.preventDefault();
        const body = { name_en: nameEn.value.trim() };
        if (name.value.trim()) body.name = name.value.trim();
        await api("PATCH", paths.window(w.id), body);
        say("ok", tr("renamed", { n: w.number }));
      }),
    }, name, nameEn, save);
  }
  createForm($("window-form"), paths.hallWindows(hall), function () {
    const body = { number: parseInt($("nw-number").value, 10) };
    if ($("nw-name").value.trim()) body.name = $("nw-name").value.trim();
    if ($("nw-name-en").value.trim()) body.name_en = $("nw-name-en").value.trim();
    return body;
  }, function (made) { return tr("created", { n: made.number }); }, load);
  load().catch(sayError);
}

// ── people ──────────────────────────────────────────────────
function dataUrl(file) {
  return new Promise(function (resolve, reject) {
    const reader = new FileReader();
    reader.onload = function () { resolve(String(reader.result)); };
    reader.onerror = function () { reject(reader.error); };
    reader.readAsDataURL(file);
  });
}

function peoplePage() {
  let people = [];
  async function load() {
    people = (await api("GET", paths.hallUsers(hall))).users || [];
    fillTable("people-body", people, function (u) {
      return h("tr", { class: u.active ? "" : "inactive", dataset: { username: u.username } },
        h("td", { class: "photo-cell" }, u.photo_url ? h("img", { class: "thumb", src: u.photo_url, alt: "" }) : null),
        h("td", {}, h("b", { text: u.name })),
        h("td", { class: "num", text: u.username }),
        h("td", { class: "num", text: u.badge || "" }),
        h("td", { text: tr("role_" + u.role) }),
        h("td", {}, h("span", { class: "pill " + (u.active ? "ok" : "muted"), text: tr(u.active ? "active" : "inactive") })),
        h("td", { class: "act" }, h("button", { type: "button", class: "btn ghost sm", text: tr("edit"), onclick: function () { edit(u); } })));
    });
  }
  async function edit(u) {
    $("person-dialog-title").textContent = tr("edit_title", { name: u.name, username: u.username });
    $("ep-name").value = u.name;
    $("ep-badge").value = u.badge || "";
    $("ep-password").value = "";
    $("ep-active").checked = u.active;
    $("ep-photo").value = "";
    $("ep-photo-remove").checked = false;
    $("ep-photo-remove-row").hidden = !u.photo_url;
    const data = await formDialog($("person-dialog"));
    if (!data) return;
    const body = { name: $("ep-name").value.trim(), badge: $("ep-badge").value.trim(), active: $("ep-active").checked };
    if ($("ep-password").value) body.password = $("ep-password").value;
    try {
      const file = $("ep-photo").files && $("ep-photo").files[0];
      // 挂牌上岗: the photo the window board shows (the server checks its bytes and size)
      if (file) await api("PUT", paths.user(u.username) + "/photo", { image: await dataUrl(file) });
      else if ($("ep-photo-remove").checked) await api("PUT", paths.user(u.username) + "/photo", { image: null });
      const saved = await api("PATCH", paths.user(u.username), body);
      say("ok", tr("saved", { name: saved.name }));
      await load();
    } catch (err) {
      sayError(err);
    }
  }
  createForm($("person-form"), paths.hallUsers(hall), function () {
    return {
      name: $("np-name").value.trim(), username: $("np-username").value.trim(), badge: $("np-badge").value.trim() || null,
      role: $("np-role").value, password: $("np-password").value,
    };
  }, function (made) { return tr("created", { name: made.name }); }, load);
  load().catch(sayError);
}

// ── devices ─────────────────────────────────────────────────
function devicesPage() {
  async function load() {
    const res = await api("GET", paths.hallDevices(hall));
    const body = fillTable("devices-body", res.devices || [], function (d) {
      const label = d.label || tr("no_label");
      return h("tr", { class: d.revoked ? "inactive" : "", dataset: { deviceId: d.id, role: d.role } },
        h("td", { class: "num muted", text: String(d.id) }),
        h("td", {}, h("b", { text: label })),
        h("td", { class: "nowrap", text: tr("role_" + d.role) }),
        h("td", { class: "num", text: d.user || "" }),
        h("td", { class: "num nowrap", text: dayTime(d.created_at, timezone) }),
        h("td", {}, h("span", { class: "pill " + (d.revoked ? "muted" : "ok"), text: tr(d.revoked ? "revoked" : "in_use") })),
        h("td", { class: "act" }, d.revoked ? null : h("button", {
          type: "button", class: "btn ghost sm danger", text: tr("revoke"),
          onclick: function () { revoke(d, label); },
        })));
    });
    if (!(res.devices || []).length) emptyRow(body, 7, tr("no_devices"));
  }

  async function revoke(d, label) {
    const ok = await confirmDialog({
      title: tr("confirm_revoke_title"), body: tr("confirm_revoke", { label: label }), ok: tr("revoke"), danger: true,
    });
    if (!ok) return;
    try {
      await api("POST", paths.revokeDevice(d.id), {});
      say("ok", tr("revoked_ok", { label: label }));
      await load();
    } catch (err) {
      sayError(err);
    }
  }

  function showToken(made) {
    const origin = window.location.origin;
    const t = encodeURIComponent(made.token);
    $("tr-label").textContent = (made.label || tr("no_label")) + " · " + tr("role_" + made.role);
    $("tr-token").textContent = made.token;
    let url = "";
    let note = "";
    let extra = "";
    if (made.role === "kiosk") {
      note = tr("url_kiosk");
      url = origin + pages.kiosk(hall) + "?token=" + t;
    } else if (made.role === "board") {
      note = tr("url_board");
      url = origin + pages.hallBoard(hall) + "?token=" + t;
      extra = tr("url_window_board") + ": " + origin + pages.windowBoard(hall, 1) + "?token=" + t;
    } else if (made.role === "pad") {
      note = tr("url_pad");
      url = origin + pages.windowBoard(hall, made.window) + "/pad?token=" + t;
    } else {
      note = tr("url_clerk");
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
    const done = function () { say("ok", tr("copied")); };
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
    const pad = $("dv-role").value === "pad";  // 评价器: bound to one window
    $("dv-window-field").hidden = !pad;
    $("dv-window").required = pad;
  }
  api("GET", paths.snapshot(hall)).then(function (res) {
    fillSelect($("dv-window"), [{ value: "", text: "—" }].concat((res.windows || []).map(function (w) {
      return { value: String(w.id), text: tr("window_n", { n: w.number }) + (w.name ? " " + w.name : "") };
    })));
  }).catch(function () { /* the list stays empty */ });
  $("dv-role").addEventListener("change", roleChanged);
  api("GET", paths.hallUsers(hall)).then(function (res) {
    fillSelect($("dv-user"), [{ value: "", text: "—" }].concat((res.users || []).filter(function (u) {
      return u.active && (u.role === "clerk" || u.role === "manager");
    }).map(function (u) { return { value: u.username, text: u.name + "（" + u.username + "）" }; })));
  }).catch(function () { /* the list stays empty */ });

  const form = $("device-form");
  form.addEventListener("submit", busy($("dv-issue"), async function () {
    if (!form.reportValidity()) return;
    const body = { role: $("dv-role").value, label: $("dv-label").value.trim() };
    if (body.role === "clerk") {
      if (!$("dv-user").value) { say("error", tr("clerk_needed")); return; }
      body.user = $("dv-user").value;
    }
    if (body.role === "pad") {
      if (!$("dv-window").value) { say("error", tr("window_needed")); return; }
      body.window = Number($("dv-window").value);
    }
    const made = await api("POST", paths.hallDevices(hall), body);
    showToken(made);
    say("ok", tr("issued_ok", { label: made.label || tr("no_label") }));
    $("dv-label").value = "";
    await load();
  }));
  roleChanged();
  load().catch(sayError);
}

const sections = { hall: hallPage, halls: hallsPage, services: servicesPage, windows: windowsPage, people: peoplePage, devices: devicesPage };
api("GET", paths.hall(hall)).then(function (info) { timezone = info.timezone; }).catch(function () { /* browser's zone */ })
  .then(function () { if (sections[root.dataset.page]) sections[root.dataset.page](); });
