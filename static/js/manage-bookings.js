/* hallq — the manager's appointments page: saves the booking settings (grace, per-phone limit,
 * each service's slots) through the booking API; the day's list is rendered by the server. */
import { tr } from "./lib/i18n.js";
import { $ } from "./lib/dom.js";
import { api, errorText } from "./lib/api.js";

const hall = document.getElementById("bookings").dataset.hall;
const form = $("bk-settings");

form.addEventListener("submit", async function (ev) {
  ev.preventDefault();
  const num = function (el, name) { return parseInt(el.querySelector('[name="' + name + '"]').value, 10); };
  const services = {};
  form.querySelectorAll("tr[data-service]").forEach(function (row) {
    services[row.dataset.service] = row.querySelector('[name="on"]').checked
      ? { slot_minutes: num(row, "slot_minutes"), capacity: num(row, "capacity"), days_ahead: num(row, "days_ahead") }
      : null;
  });
  const body = { grace_minutes: num(form, "grace_minutes"), max_open_bookings: num(form, "max_open_bookings"), services: services };
  try {
    await api("PATCH", "/api/v1/halls/" + encodeURIComponent(hall) + "/bookings/settings", body);
    $("bk-settings-msg").textContent = tr("saved");
  } catch (err) {
    $("bk-settings-msg").textContent = errorText(err);
  }
});
