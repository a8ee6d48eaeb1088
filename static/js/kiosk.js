/* hallq — touch kiosk (取号机): category → service → ticket on screen with its QR code. */
(function () {
  "use strict";
  const H = window.hallq;
  const root = document.getElementById("kiosk");
  const hall = root.dataset.hall;
  const english = root.dataset.lang === "en";
  const token = H.deviceToken("kiosk", hall);
  const AUTO_RETURN_S = 30;

  const $ = function (id) { return document.getElementById(id); };
  const screens = { categories: $("screen-categories"), services: $("screen-services"), ticket: $("screen-ticket") };

  let info = null;               // GET /api/v1/halls/<hall>
  let currentCategory = null;
  let busy = false;
  let countdownTimer = null;
  let idleTimer = null;

  // ── clock ──────────────────────────────────────────────────
  let clock = H.clock(undefined);
  function tick() {
    const c = clock();
    $("clock-time").textContent = c.time.slice(0, 5);
    $("clock-date").textContent = c.date;
  }
  tick();
  setInterval(tick, 1000);

  // ── screens ────────────────────────────────────────────────
  function show(name) {
    Object.keys(screens).forEach(function (k) { screens[k].hidden = k !== name; });
    root.dataset.screen = name;
    const order = ["categories", "services", "ticket"];
    document.querySelectorAll("#steps li").forEach(function (li) {
      const i = order.indexOf(li.dataset.step), cur = order.indexOf(name);
      li.className = i < cur ? "done" : i === cur ? "current" : "";
    });
    window.scrollTo(0, 0);
  }

  function serviceName(svc) {
    return english && svc.name_en ? svc.name_en : svc.name;
  }

  function servicesOf(category) {
    return (info && info.services ? info.services : []).filter(function (s) { return s.category === category; });
  }

  function categoryName(c) {
    return typeof c === "string" ? c : (english && c.name_en ? c.name_en : c.name || c.code);
  }
  function categoryKey(c) {
    return typeof c === "string" ? c : c.code || c.name;
  }

  function waitText(svc) {
    const m = H.waitMinutes(svc.estimated_wait_s);
    if (!svc.waiting) return H.t("wait_none");
    return m === null ? "" : H.t("wait_min", { n: m });
  }

  function renderCategories() {
    const box = $("category-tiles");
    box.textContent = "";
    const cats = info.categories && info.categories.length ? info.categories : [];
    if (!cats.length) {
      box.appendChild(H.h("p", { class: "loading", text: H.t("no_services") }));
      return;
    }
    cats.forEach(function (c, i) {
      const key = categoryKey(c);
      const svcs = servicesOf(key);
      const waiting = svcs.reduce(function (a, s) { return a + (s.waiting || 0); }, 0);
      box.appendChild(H.h("button", {
        type: "button", class: "tile category c" + (i % 6), dataset: { category: key },
        onclick: function () { openCategory(key); },
      },
        H.h("span", { class: "tile-name", text: categoryName(c) }),
        H.h("span", { class: "tile-list", text: svcs.map(serviceName).join(english ? " · " : "、") }),
        H.h("span", { class: "tile-meta" },
          H.h("span", { text: H.t("n_services", { n: svcs.length }) }),
          H.h("span", { class: "dot", text: "·" }),
          H.h("span", { "data-role": "cat-waiting", text: H.t("waiting_n", { n: waiting }) }))
      ));
    });
  }

  function renderServices() {
    const box = $("service-tiles");
    box.textContent = "";
    const svcs = servicesOf(currentCategory);
    const cat = (info.categories || []).find(function (c) { return categoryKey(c) === currentCategory; });
    $("svc-title").textContent = cat ? categoryName(cat) : currentCategory;
    svcs.forEach(function (svc) {
      box.appendChild(H.h("button", {
        type: "button", class: "tile service", dataset: { service: svc.code },
        onclick: function () { takeTicket(svc); },
      },
        H.h("span", { class: "letter num", text: svc.prefix || svc.code }),
        H.h("span", { class: "svc-body" },
          H.h("span", { class: "tile-name", text: serviceName(svc) }),
          !english && svc.name_en ? H.h("span", { class: "tile-en", text: svc.name_en }) : null,
          H.h("span", { class: "tile-meta" },
            H.h("span", { class: "waiting", "data-role": "waiting", text: H.t("waiting_n", { n: svc.waiting || 0 }) }),
            H.h("span", { class: "dot", text: "·" }),
            H.h("span", { class: "eta", "data-role": "eta", text: waitText(svc) })))
      ));
    });
  }

  /** Updates the counts on screen in place (no re-render: a tap in progress is not lost). */
  function refreshCounts() {
    if (!info) return;
    document.querySelectorAll("#service-tiles .tile").forEach(function (tile) {
      const svc = info.services.find(function (s) { return s.code === tile.dataset.service; });
      if (!svc) return;
      tile.querySelector('[data-role="waiting"]').textContent = H.t("waiting_n", { n: svc.waiting || 0 });
      tile.querySelector('[data-role="eta"]').textContent = waitText(svc);
    });
    document.querySelectorAll("#category-tiles .tile").forEach(function (tile) {
      const n = servicesOf(tile.dataset.category).reduce(function (a, s) { return a + (s.waiting || 0); }, 0);
      tile.querySelector('[data-role="cat-waiting"]').textContent = H.t("waiting_n", { n: n });
    });
  }

  function openCategory(key) {
    currentCategory = key;
    renderServices();
    show("services");
    armIdle();
  }

  function goHome() {
    if (countdownTimer) { clearInterval(countdownTimer); countdownTimer = null; }
    currentCategory = null;
    hideError();
    show("categories");
    disarmIdle();
    const cats = info && info.categories ? info.categories : [];
    if (cats.length === 1) openCategory(categoryKey(cats[0]));
  }

  // A citizen who walks away mid-choice leaves the next one a clean start screen.
  function armIdle() {
    disarmIdle();
    idleTimer = setTimeout(goHome, 60000);
  }
  function disarmIdle() {
    if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
  }

  // ── issuing ────────────────────────────────────────────────
  async function takeTicket(svc) {
    if (busy) return;
    if (!token) { showError(H.t("no_token")); return; }
    busy = true;
    $("overlay-busy").hidden = false;
    try {
      const t = await H.api("POST", "/api/v1/tickets", { service: svc.code, hall: hall }, { token: token });
      showTicket(t, svc);
      loadInfo();
    } catch (err) {
      showError(H.errorText(err));
    } finally {
      busy = false;
      $("overlay-busy").hidden = true;
    }
  }

  function showTicket(t, svc) {
    disarmIdle();
    $("ticket-number").textContent = t.number;
    $("ticket-service").textContent = svc ? serviceName(svc) : t.service_name;
    $("ticket-ahead").textContent = t.position === null || t.position === undefined ? "0" : t.position;
    const m = H.waitMinutes(t.estimated_wait_s);
    $("ticket-wait").textContent = m === null ? "—" : m;
    $("ticket-qr").src = "/t/" + encodeURIComponent(t.id) + "/qr.svg";
    screens.ticket.dataset.ticketId = t.id;
    show("ticket");
    let left = AUTO_RETURN_S;
    $("countdown").textContent = H.t("auto_return", { n: left });
    if (countdownTimer) clearInterval(countdownTimer);
    countdownTimer = setInterval(function () {
      left -= 1;
      $("countdown").textContent = H.t("auto_return", { n: Math.max(left, 0) });
      if (left <= 0) goHome();
    }, 1000);
  }

  function showError(text) {
    $("error-text").textContent = text;
    $("overlay-error").hidden = false;
  }
  function hideError() { $("overlay-error").hidden = true; }

  // A long press on a touch screen must not open a context menu or select text.
  document.addEventListener("contextmenu", function (ev) { ev.preventDefault(); });

  $("btn-back").addEventListener("click", goHome);
  $("btn-done").addEventListener("click", goHome);
  $("btn-error-ok").addEventListener("click", hideError);

  // ── data ───────────────────────────────────────────────────
  let firstLoad = true;
  async function loadInfo() {
    try {
      info = await H.api("GET", "/api/v1/halls/" + encodeURIComponent(hall), null, { token: token });
      if (info.timezone) { clock = H.clock(info.timezone); tick(); }
      $("hall-name").textContent = info.name;
      if (firstLoad) {
        firstLoad = false;
        renderCategories();
        goHome();
      } else {
        refreshCounts();
      }
    } catch (err) {
      if (firstLoad) {
        $("category-tiles").textContent = "";
        $("category-tiles").appendChild(H.h("p", { class: "loading error", text: H.t("load_failed") + " — " + H.errorText(err) }));
        setTimeout(loadInfo, 10000);
      }
    }
  }
  // Estimated waits depend on server-side averages: re-read them after a burst of events.
  const reloadInfo = H.debounce(loadInfo, 1500);

  function applyWaiting(waiting) {
    if (!info || !waiting) return;
    info.services.forEach(function (s) {
      if (Object.prototype.hasOwnProperty.call(waiting, s.code)) s.waiting = waiting[s.code];
    });
    refreshCounts();
  }

  loadInfo();

  H.live({
    hall: hall,
    token: token,
    onSnapshot: function (snap) { applyWaiting(snap.waiting); },
    onEvent: function (env) {
      if (env.type === "queue.updated") {
        applyWaiting(env.data && env.data.waiting);
        reloadInfo();
      } else if (env.type === "window.updated") {
        reloadInfo();
      }
    },
  });
})();
