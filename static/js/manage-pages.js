/* hallq — helpers of the manager's and admin's pages (after common.js): toasts, the confirm
 * dialog of templates/manage/_nav.html, hall-local dates and times. Exposes them on window.hallq. */
(function () {
  "use strict";
  const H = window.hallq;

  /** A toast (the same as the clerk console's): ok / info / error. Errors stay until closed,
   *  unless `ms` says how long (an alarm toast: the banner keeps the alarm on screen). */
  H.say = function (kind, text, ms) {
    const box = document.getElementById("messages");
    if (!box) return;
    const el = H.h("div", { class: "alert " + kind, role: kind === "error" ? "alert" : "status" },
      H.h("span", { text: text }),
      H.h("button", { type: "button", class: "close", "aria-label": "×", text: "×", onclick: function () { el.remove(); } }));
    box.appendChild(el);
    while (box.children.length > 3) box.firstChild.remove();
    if (kind !== "error" || ms) setTimeout(function () { el.remove(); }, ms || 6000);
  };

  /** An API error as a toast: the server's message (error.message), in the page language. */
  H.sayError = function (err) {
    H.say("error", err && err.status ? err.message : H.errorText(err));
  };

  /**
   * Asks before an action that moves citizens or cannot be undone.
   * opts: {title, body: text | node | [nodes], ok: button text, danger: bool}. Resolves true on OK.
   */
  H.confirmDialog = function (opts) {
    const dlg = document.getElementById("confirm-dialog");
    if (!dlg || typeof dlg.showModal !== "function") {
      return Promise.resolve(window.confirm([opts.title, typeof opts.body === "string" ? opts.body : ""].join("\n")));
    }
    const okBtn = document.getElementById("confirm-ok");
    if (!okBtn.dataset.label) okBtn.dataset.label = okBtn.textContent;
    okBtn.textContent = opts.ok || okBtn.dataset.label;
    okBtn.className = "btn" + (opts.danger ? " red" : "");
    document.getElementById("confirm-title").textContent = opts.title || "";
    const body = document.getElementById("confirm-body");
    body.textContent = "";
    [].concat(opts.body || []).forEach(function (part) {
      body.appendChild(typeof part === "string" ? H.h("p", { text: part }) : part);
    });
    dlg.returnValue = "";
    return new Promise(function (resolve) {
      dlg.addEventListener("close", function done() {
        dlg.removeEventListener("close", done);
        resolve(dlg.returnValue === "ok");
      });
      dlg.showModal();
      okBtn.focus();
    });
  };

  /** Opens a <dialog> holding a form; resolves with the FormData on submit, null on cancel. */
  H.formDialog = function (dlg) {
    const form = dlg.querySelector("form");
    return new Promise(function (resolve) {
      function onSubmit(ev) {
        const submitter = ev.submitter;
        if (submitter && submitter.value === "cancel") return;   // method=dialog closes it
        ev.preventDefault();
        if (!form.reportValidity()) return;
        cleanup();
        dlg.close("ok");
        resolve(new FormData(form));
      }
      function onClose() {
        cleanup();
        resolve(null);
      }
      function cleanup() {
        form.removeEventListener("submit", onSubmit);
        dlg.removeEventListener("close", onClose);
      }
      form.addEventListener("submit", onSubmit);
      dlg.addEventListener("close", onClose);
      dlg.showModal();
    });
  };

  /** Today in the hall's timezone, as YYYY-MM-DD (the business day of a date picker). */
  H.hallToday = function (timeZone, offsetDays) {
    const d = new Date(Date.now() + (offsetDays || 0) * 86400000);
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
    } catch (e) {
      return d.toISOString().slice(0, 10);
    }
  };

  /** "HH:MM:SS" of an ISO timestamp in the hall's timezone. */
  H.clockTime = function (iso, timeZone) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      return new Intl.DateTimeFormat("zh-CN", { timeZone: timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(d);
    } catch (e) {
      return d.toTimeString().slice(0, 8);
    }
  };

  /** "MM-DD HH:MM" of an ISO timestamp in the hall's timezone. */
  H.dayTime = function (iso, timeZone) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      const parts = {};
      new Intl.DateTimeFormat("en-CA", { timeZone: timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false })
        .formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
      return parts.month + "-" + parts.day + " " + (parts.hour === "24" ? "00" : parts.hour) + ":" + parts.minute;
    } catch (e) {
      return iso.slice(5, 16).replace("T", " ");
    }
  };

  /** Name · badge of a person object ({username, name, badge}); "—" for nobody. */
  H.personText = function (p) {
    if (!p) return "—";
    return p.name + (p.badge ? " · " + p.badge : "");
  };

  /** A select's options: [{value, text}] (keeps the selection when it still exists). */
  H.fillSelect = function (select, options, keep) {
    const before = keep === undefined ? select.value : keep;
    const sig = JSON.stringify(options);
    if (select.dataset.sig === sig) {
      // the same choices: leave the list alone (an open dropdown stays open)
      if (keep !== undefined && options.some(function (o) { return String(o.value) === String(keep); })) select.value = keep;
      return;
    }
    select.dataset.sig = sig;
    select.textContent = "";
    options.forEach(function (o) {
      select.appendChild(H.h("option", { value: o.value, text: o.text, disabled: o.disabled ? true : null }));
    });
    if (options.some(function (o) { return String(o.value) === String(before); })) select.value = before;
  };
})();
