/* hallq — the audit log page (审计日志): filters by person, window, ticket and day; the table of
 * GET /api/v1/halls/<hall>/audit; "导出 CSV" is the same URL with format=csv. */
(function () {
  "use strict";
  const H = window.hallq;
  const root = document.getElementById("audit");
  const hall = root.dataset.hall;
  const $ = function (id) { return document.getElementById(id); };
  const LIMIT = 500;
  const base = "/api/v1/halls/" + encodeURIComponent(hall) + "/audit";
  const state = { timezone: undefined, windows: [] };

  function kindClass(type) {
    if (type === "window.alarm") return "bad";
    if (type === "window.alarm_cleared") return "ok";
    if (["queue.moved", "posts.updated", "leave.registered", "hall.updated", "service.updated", "trip.repeated"].indexOf(type) !== -1) return "warn";
    if (type.indexOf("window.") === 0) return "muted";
    return "";
  }

  function params() {
    const p = new URLSearchParams();
    const user = $("f-user").value;
    const win = $("f-window").value;
    const ticket = $("f-ticket").value.trim();
    const day = $("f-day").value;
    if (user) p.set("user", user);
    if (win) p.set("window", win);
    if (ticket) p.set("ticket", ticket);
    if (day) p.set("day", day);
    return p;
  }

  function syncUrls() {
    const p = params();
    const csv = new URLSearchParams(p);
    csv.set("format", "csv");
    csv.set("limit", "5000");
    $("export-csv").href = base + "?" + csv.toString();
    // the filtered view is a link a manager can send (an admin's ?hall= stays)
    const page = new URLSearchParams(p);
    const asked = new URLSearchParams(window.location.search).get("hall");
    if (asked) page.set("hall", asked);
    const lang = new URLSearchParams(window.location.search).get("lang");
    if (lang) page.set("lang", lang);
    try { window.history.replaceState(null, "", window.location.pathname + (page.toString() ? "?" + page.toString() : "")); } catch (e) { /* ignore */ }
    return p;
  }

  function windowLabel(w) { return w ? H.t("window_n", { n: w.number }) : ""; }

  function actorCell(r) {
    if (!r.actor) {
      const role = r.actor_role ? H.t("role_" + r.actor_role) : H.t("system");
      return H.h("td", { class: "muted" }, role);
    }
    return H.h("td", {},
      H.h("b", { text: r.actor.name }),
      r.actor.badge ? H.h("span", { class: "num badge", text: " " + r.actor.badge }) : null,
      H.h("div", { class: "sub" }, r.actor.username + (r.actor_role ? " · " + H.t("role_" + r.actor_role) : "")));
  }

  function render(rows, p) {
    const body = $("audit-body");
    body.textContent = "";
    const showDate = !p.get("day");
    rows.forEach(function (r) {
      const time = (r.at || "").slice(11, 19);
      const date = (r.at || "").slice(5, 10);
      body.appendChild(H.h("tr", { dataset: { seq: r.seq, type: r.type } },
        H.h("td", { class: "num nowrap" }, showDate ? H.h("span", { class: "date", text: date + " " }) : null, time),
        H.h("td", { class: "nowrap" }, H.h("span", { class: "pill " + kindClass(r.type), title: r.type, text: H.t("ev_" + r.type) === "ev_" + r.type ? r.type : H.t("ev_" + r.type) })),
        actorCell(r),
        H.h("td", { class: "nowrap" }, r.window ? H.h("a", {
          href: "#", class: "filter-link", title: H.t("filter_by"), text: windowLabel(r.window),
          onclick: function (ev) { ev.preventDefault(); $("f-window").value = String(r.window.id); load(); },
        }) : null),
        H.h("td", { class: "nowrap" }, r.ticket ? H.h("a", {
          href: "#", class: "filter-link num", title: H.t("filter_by"), text: r.ticket.number,
          onclick: function (ev) { ev.preventDefault(); $("f-ticket").value = r.ticket.number; load(); },
        }) : null),
        H.h("td", { class: "summary", text: r.summary || "" })));
    });
    if (!rows.length) {
      body.appendChild(H.h("tr", { class: "empty-row" }, H.h("td", { colspan: "6", text: H.t("no_rows") })));
    }
    $("audit-count").textContent = rows.length >= LIMIT ? H.t("rows_capped", { n: LIMIT }) : H.t("rows_n", { n: rows.length });
  }

  let asked = 0;
  async function load(ev) {
    if (ev) ev.preventDefault();
    const p = syncUrls();
    const q = new URLSearchParams(p);
    q.set("limit", String(LIMIT));
    const mine = ++asked;
    $("audit-count").textContent = H.t("loading");
    try {
      const res = await H.api("GET", base + "?" + q.toString());
      if (mine !== asked) return;
      render(res.events || [], p);
    } catch (err) {
      if (mine !== asked) return;
      $("audit-count").textContent = "";
      H.sayError(err);
    }
  }

  async function start() {
    const url = new URLSearchParams(window.location.search);
    const [snap, users] = await Promise.all([
      H.api("GET", "/api/v1/halls/" + encodeURIComponent(hall) + "/snapshot").catch(function () { return null; }),
      H.api("GET", "/api/v1/halls/" + encodeURIComponent(hall) + "/users").catch(function (err) { H.sayError(err); return { users: [] }; }),
    ]);
    if (snap) {
      state.timezone = snap.hall.timezone;
      state.windows = snap.windows || [];
      $("hall-name").textContent = snap.hall.name;
    }
    H.fillSelect($("f-user"), [{ value: "", text: H.t("all_people") }].concat((users.users || []).map(function (u) {
      return { value: u.username, text: u.name + (u.badge ? " · " + u.badge : "") + "（" + u.username + "）" };
    })), url.get("user") || "");
    H.fillSelect($("f-window"), [{ value: "", text: H.t("all_windows") }].concat(state.windows.map(function (w) {
      return { value: String(w.id), text: H.t("window_n", { n: w.number }) };
    })), url.get("window") || "");
    $("f-ticket").value = url.get("ticket") || "";
    $("f-day").value = url.has("day") ? url.get("day") : H.hallToday(state.timezone);
    await load();
  }

  $("audit-filters").addEventListener("submit", load);
  ["f-user", "f-window", "f-day"].forEach(function (id) { $(id).addEventListener("change", function () { load(); }); });
  $("f-clear").addEventListener("click", function () {
    $("f-user").value = "";
    $("f-window").value = "";
    $("f-ticket").value = "";
    $("f-day").value = "";
    load();
  });
  start();
})();
