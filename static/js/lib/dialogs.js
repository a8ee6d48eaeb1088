/* hallq — the confirm dialog of templates/manage/_nav.html and form dialogs. */
import { h } from "./dom.js";

/**
 * Asks before an action that moves citizens or cannot be undone.
 * opts: {title, body: text | node | [nodes], ok: button text, danger: bool}. Resolves true on OK.
 */
export function confirmDialog(opts) {
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
    body.appendChild(typeof part === "string" ? h("p", { text: part }) : part);
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
}

/** Opens a <dialog> holding a form; resolves with the FormData on submit, null on cancel. */
export function formDialog(dlg) {
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
}
