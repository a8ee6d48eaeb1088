/* hallq — guide editor (办事指南管理): the import form of the list page and the edit form of one guide.
 * Saves through the JSON API with the session cookie and the page's CSRF token; the API's
 * validation names every bad field by its path, which is shown next to the field. */
(function () {
  "use strict";
  const H = window.hallq;
  const $ = function (id) { return document.getElementById(id); };
  const FORMS = ["original", "copy", "original_and_copy", "electronic"];

  /** Every bad field of a refused request: [{field, message}] (the API's `errors`, else its one field). */
  async function failure(res) {
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    const err = (body && body.error) || {};
    const list = err.errors || (err.field ? [{ field: err.field, message: err.message }] : []);
    return { status: res.status, message: err.message || H.t("http_error", { status: res.status }), errors: list };
  }

  function errorList(title, fail) {
    const box = H.h("div", {},
      H.h("p", { class: "err-title" }, H.h("b", { text: title }), " ", fail.errors.length ? "" : fail.message));
    if (fail.errors.length) {
      box.appendChild(H.h("ul", { class: "err-list" }, fail.errors.map(function (e) {
        return H.h("li", {}, H.h("code", { text: e.field }), " ", e.message);
      })));
    }
    return box;
  }

  // ── list page: import ──────────────────────────────────────
  const importForm = $("import-form");
  if (importForm) {
    const hall = $("guides").dataset.hall;
    importForm.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      const out = $("import-result");
      out.textContent = "";
      const file = $("import-file").files[0];
      if (!file) { out.appendChild(H.h("p", { class: "alert error", text: H.t("choose_file") })); return; }
      const fmt = $("import-format").value || (/\.json$/i.test(file.name) ? "json" : "yaml");
      out.appendChild(H.h("p", { class: "alert info", text: H.t("importing") }));
      const text = await file.text();
      let res;
      try {
        res = await fetch("/api/v1/halls/" + encodeURIComponent(hall) + "/guides/import?format=" + fmt, {
          method: "POST",
          headers: { "Content-Type": fmt === "json" ? "application/json" : "application/yaml", "X-CSRFToken": H.csrfToken, Accept: "application/json" },
          body: text,
          credentials: "same-origin",
        });
      } catch (e) {
        out.textContent = "";
        out.appendChild(H.h("p", { class: "alert error", text: H.t("network_error") }));
        return;
      }
      out.textContent = "";
      if (res.ok) {
        const done = await res.json();
        out.appendChild(H.h("p", { class: "alert ok", text: H.t("import_done", { updated: done.updated.length, unchanged: done.unchanged.length }) }));
        // the table's counts changed: reload it after the manager has read the message
        if (done.updated.length) setTimeout(function () { window.location.reload(); }, 1500);
        return;
      }
      const fail = await failure(res);
      out.appendChild(H.h("div", { class: "alert error import-errors" }, errorList(H.t("import_failed"), fail)));
    });
  }

  // ── edit page ──────────────────────────────────────────────
  const editor = $("guide-edit");
  if (!editor) return;
  const hall = editor.dataset.hall;
  const code = editor.dataset.service;
  const url = "/api/v1/halls/" + encodeURIComponent(hall) + "/services/" + encodeURIComponent(code) + "/guide";
  const rows = $("materials");
  let dirty = false;

  function markDirty() {
    dirty = true;
    $("save-state").textContent = H.t("unsaved");
    $("save-state").className = "save-state dirty";
  }

  function materialRow(m) {
    const select = H.h("select", { class: "input m-form", "aria-label": "form" },
      FORMS.map(function (f) { return H.h("option", { value: f, text: H.t("form_" + f) }); }));
    select.value = m.form || "original";
    const required = H.h("input", { type: "checkbox", class: "m-required" });
    required.checked = m.required !== false;
    const tr = H.h("tr", { dataset: { id: m.id || "" } },
      H.h("td", { class: "m-id num", text: m.id || "—" }),
      H.h("td", {}, H.h("input", { class: "input m-name", type: "text", value: m.name || "", maxlength: "100" })),
      H.h("td", {}, select),
      H.h("td", {}, H.h("input", { class: "input m-copies num", type: "number", min: "1", max: "99", value: String(m.copies || 1) })),
      H.h("td", { class: "center" }, required),
      H.h("td", {}, H.h("input", { class: "input m-notes", type: "text", value: m.notes || "", maxlength: "500" })),
      H.h("td", { class: "act nowrap" },
        H.h("button", { type: "button", class: "btn ghost sq", title: H.t("move_up"), "aria-label": H.t("move_up"), dataset: { act: "up" }, text: "↑" }),
        H.h("button", { type: "button", class: "btn ghost sq", title: H.t("move_down"), "aria-label": H.t("move_down"), dataset: { act: "down" }, text: "↓" }),
        H.h("button", { type: "button", class: "btn ghost sq red-text", title: H.t("remove"), "aria-label": H.t("remove"), dataset: { act: "remove" }, text: "✕" })));
    return tr;
  }

  rows.addEventListener("click", function (ev) {
    const btn = ev.target.closest("[data-act]");
    if (!btn) return;
    const tr = btn.closest("tr");
    if (btn.dataset.act === "remove") tr.remove();
    else if (btn.dataset.act === "up" && tr.previousElementSibling) rows.insertBefore(tr, tr.previousElementSibling);
    else if (btn.dataset.act === "down" && tr.nextElementSibling) rows.insertBefore(tr.nextElementSibling, tr);
    markDirty();
  });
  $("guide-form").addEventListener("input", markDirty);
  $("add-material").addEventListener("click", function () {
    const tr = materialRow({ name: "", form: "original", copies: 1, required: true, notes: "" });
    rows.appendChild(tr);
    tr.querySelector(".m-name").focus();
    markDirty();
  });

  function fill(data) {
    const g = data.guide;
    rows.textContent = "";
    g.materials.forEach(function (m) { rows.appendChild(materialRow(m)); });
    $("steps").value = g.steps.join("\n");
    $("legal_limit_days").value = g.legal_limit_days === null ? "" : String(g.legal_limit_days);
    $("promised_limit_days").value = g.promised_limit_days === null ? "" : String(g.promised_limit_days);
    $("fees").value = g.fees;
    $("legal_basis").value = g.legal_basis;
    $("keywords").value = g.keywords.join("、");
    $("windows").textContent = g.windows.length
      ? g.windows.map(function (w) { return H.t("window_n_status", { n: w.number }); }).join("、")
      : H.t("no_windows");
  }

  /** A number field as the API wants it: blank → null; anything else is sent as typed, for the API to judge. */
  function days(id) {
    const v = $(id).value.trim();
    if (v === "") return null;
    return /^-?\d+$/.test(v) ? Number(v) : v;
  }

  function collect() {
    const materials = Array.prototype.map.call(rows.querySelectorAll("tr"), function (tr) {
      const copies = tr.querySelector(".m-copies").value.trim();
      const m = {
        name: tr.querySelector(".m-name").value,
        form: tr.querySelector(".m-form").value,
        copies: /^-?\d+$/.test(copies) ? Number(copies) : copies,
        required: tr.querySelector(".m-required").checked,
        notes: tr.querySelector(".m-notes").value,
      };
      if (tr.dataset.id) m.id = tr.dataset.id;
      return m;
    });
    return {
      materials: materials,
      steps: $("steps").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
      legal_limit_days: days("legal_limit_days"),
      promised_limit_days: days("promised_limit_days"),
      fees: $("fees").value,
      legal_basis: $("legal_basis").value,
      keywords: $("keywords").value.split(/[,，、;；\n]+/).map(function (s) { return s.trim(); }).filter(Boolean),
    };
  }

  /** The input a field path points at: materials[2].copies → row 3's copies box. */
  function inputFor(path) {
    const m = /^materials\[(\d+)\](?:\.(\w+))?/.exec(path);
    if (m) {
      const tr = rows.querySelectorAll("tr")[Number(m[1])];
      if (!tr) return null;
      return m[2] ? tr.querySelector(".m-" + m[2]) : tr;
    }
    const top = path.split(/[.[]/)[0];
    return document.querySelector('[data-path="' + top + '"]');
  }

  function clearErrors() {
    $("errors").hidden = true;
    $("errors").textContent = "";
    document.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
  }

  async function save(ev) {
    ev.preventDefault();
    clearErrors();
    $("save").disabled = true;
    $("save-state").textContent = H.t("saving");
    $("save-state").className = "save-state";
    let res;
    try {
      res = await fetch(url, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": H.csrfToken },
        body: JSON.stringify(collect()),
        credentials: "same-origin",
      });
    } catch (e) {
      res = null;
    }
    $("save").disabled = false;
    if (res && res.ok) {
      fill(await res.json());
      dirty = false;
      $("save-state").textContent = H.t("saved");
      $("save-state").className = "save-state ok";
      return;
    }
    const fail = res ? await failure(res) : { status: 0, message: H.t("network_error"), errors: [] };
    $("save-state").textContent = H.t("save_failed");
    $("save-state").className = "save-state bad";
    $("errors").appendChild(errorList(H.t("save_failed"), fail));
    $("errors").hidden = false;
    let first = null;
    fail.errors.forEach(function (e) {
      const el = inputFor(e.field);
      if (el) { el.classList.add("invalid"); first = first || el; }
    });
    if (first && first.focus) first.focus();
    window.scrollTo({ top: 0, behavior: "smooth" });
  }
  $("guide-form").addEventListener("submit", save);

  window.addEventListener("beforeunload", function (ev) {
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });

  (async function load() {
    try {
      fill(await H.api("GET", url));
      editor.dataset.ready = "1";
    } catch (err) {
      $("errors").textContent = H.t("load_failed") + " — " + H.errorText(err);
      $("errors").hidden = false;
    }
  })();
})();
