/* hallq — appointments (预约) on the phone: book a slot (/b/<hall>), and on the booking's page
 * (/b/<hall>/<token>) print, cancel or move it. Everything goes through the booking API. */
import { localName, tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api, errorText } from "./lib/api.js";

const root = document.getElementById("booking-app");
const hall = root.dataset.hall;
const mode = root.dataset.mode;
const base = "/api/v1/halls/" + encodeURIComponent(hall) + "/bookings";
let info = null;
let chosen = null;   // the picked slot's starts_at

function hm(iso) {
  const opts = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: info ? info.timezone : undefined };
  return new Intl.DateTimeFormat("zh-CN", opts).format(new Date(iso));
}

function error(text) {
  $("bk-error").textContent = text || "";
  $("bk-error").hidden = !text;
}

function currentService() {
  const code = mode === "book" ? $("bk-service").value : root.dataset.service;
  return (info.services || []).find(function (s) { return s.code === code; }) || null;
}

function fillDays() {
  const svc = currentService();
  const sel = $("bk-day");
  sel.replaceChildren();
  (svc ? svc.days : []).forEach(function (d) { sel.appendChild(h("option", { value: d, text: d })); });
  return loadSlots();
}

async function loadSlots() {
  const box = $("bk-slots");
  const svc = currentService();
  chosen = null;
  box.replaceChildren();
  if (!svc || !$("bk-day").value) { box.appendChild(h("p", { class: "bk-lead", text: tr("no_slots") })); return; }
  try {
    const r = await api("GET", base + "/slots?service=" + encodeURIComponent(svc.code) + "&day=" + $("bk-day").value);
    if (!r.slots.length) box.appendChild(h("p", { class: "bk-lead", text: tr("no_slots") }));
    r.slots.forEach(function (slot) {
      const b = h("button", {
        type: "button", class: "bk-slot", "aria-pressed": "false", disabled: slot.free <= 0,
        dataset: { start: slot.starts_at },
        onclick: function () {
          box.querySelectorAll(".bk-slot").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
          b.setAttribute("aria-pressed", "true");
          chosen = slot.starts_at;
          error("");
        },
      });
      b.appendChild(document.createTextNode(hm(slot.starts_at) + "–" + hm(slot.ends_at)));
      b.appendChild(h("small", { text: slot.free > 0 ? tr("free_n", { n: slot.free }) : tr("full") }));
      box.appendChild(b);
    });
  } catch (err) { error(errorText(err)); }
}

function goTo(token) {
  const lang = new URLSearchParams(location.search).get("lang");
  location.href = "/b/" + encodeURIComponent(hall) + "/" + encodeURIComponent(token) + (lang ? "?lang=" + lang : "");
}

async function start() {
  try { info = await api("GET", base + "/services"); } catch (err) { error(tr("load_failed") + " — " + errorText(err)); return; }
  if (mode === "book") {
    const sel = $("bk-service");
    if (!info.services.length) { error(tr("no_services")); $("bk-submit").disabled = true; return; }
    info.services.forEach(function (s) { sel.appendChild(h("option", { value: s.code, text: localName(s) })); });
    sel.addEventListener("change", fillDays);
    $("bk-day").addEventListener("change", loadSlots);
    await fillDays();
    $("book-form").addEventListener("submit", async function (ev) {
      ev.preventDefault();
      if (!chosen) { error(tr("pick_slot")); return; }
      $("bk-submit").disabled = true;
      try {
        const b = await api("POST", base, { service: sel.value, starts_at: chosen, phone: $("bk-phone").value.trim() });
        goTo(b.token);
      } catch (err) { error(errorText(err)); $("bk-submit").disabled = false; }
    });
  } else if ($("bk-change")) {
    $("bk-day").addEventListener("change", loadSlots);
    await fillDays();
    const path = base + "/" + encodeURIComponent(root.dataset.token);
    $("bk-reschedule").addEventListener("click", async function () {
      if (!chosen) { error(tr("pick_slot")); return; }
      try {
        const b = await api("POST", path + "/reschedule", { code: root.dataset.code, starts_at: chosen });
        goTo(b.token);
      } catch (err) { error(errorText(err)); }
    });
    $("bk-cancel").addEventListener("click", async function () {
      if (!window.confirm(tr("cancel_confirm"))) return;
      try {
        await api("POST", path + "/cancel", { code: root.dataset.code });
        location.reload();
      } catch (err) { error(errorText(err)); }
    });
  }
}

if ($("bk-print")) $("bk-print").addEventListener("click", function () { window.print(); });
start();
