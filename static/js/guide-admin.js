/* hallq — guide editor (办事指南管理): the import form of the list page and the edit form of one guide.
 * Saves through the JSON API with the session cookie and the page's CSRF token; the API's
 * validation names every bad field by its path, which is shown next to the field. */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api, errorText, paths } from "./lib/api.js";

const FORMS = ["original", "copy", "original_and_copy", "electronic"];

/** A refused request's message, or every bad field it names (ApiError.errors). */
function errorList(title, fail) {
  const box = h("div", {},
    h("p", { class: "err-title" }, h("b", { text: title }), " ", fail.errors.length ? "" : fail.message));
  if (fail.errors.length) {
    box.appendChild(h("ul", { class: "err-list" }, fail.errors.map(function (e) {
      return h("li", {}, h("code", { text: e.field }), " ", e.message);
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
    if (!file) { out.appendChild(h("p", { class: "alert error", text: tr("choose_file") })); return; }
    const fmt = $("import-format").value || (/\.json$/i.test(file.name) ? "json" : "yaml");
    out.appendChild(h("p", { class: "alert info", text: tr("importing") }));
    const text = await file.text();
    let done;
    try {
      done = await api("POST", paths.guideImport(hall, fmt), text, { contentType: fmt === "json" ? "application/json" : "application/yaml" });
    } catch (err) {
      out.textContent = "";
      if (err.status === 0) out.appendChild(h("p", { class: "alert error", text: tr("network_error") }));
      else out.appendChild(h("div", { class: "alert error import-errors" }, errorList(tr("import_failed"), err)));
      return;
    }
    out.textContent = "";
    out.appendChild(h("p", { class: "alert ok", text: tr("import_done", { updated: done.updated.length, unchanged: done.unchanged.length }) }));
    // the table's counts changed: reload it after the manager has read the message
    if (done.updated.length) setTimeout(function () { window.location.reload(); }, 1500);
  });
}

// ── edit page ──────────────────────────────────────────────
const editor = $("guide-edit");
if (editor) editPage();

function editPage() {
  const hall = editor.dataset.hall;
  const code = editor.dataset.service;
  const url = paths.guide(hall, code);
  const rows = $("materials");
  let dirty = false;

  function markDirty() {
    dirty = true;
    $("save-state").textContent = tr("unsaved");
    $("save-state").className = "save-state dirty";
  }

  /** A column's header (材料名称, 份数…): the accessible name of that column's inputs. */
  function col(i) { return rows.closest("table").tHead.rows[0].cells[i].textContent.trim(); }

  function materialRow(m) {
    const select = h("select", { class: "input m-form", "aria-label": col(2) },
      FORMS.map(function (f) { return h("option", { value: f, text: tr("form_" + f) }); }));
    select.value = m.form || "original";
    const required = h("input", { type: "checkbox", class: "m-required", "aria-label": col(4) });
    required.checked = m.required !== false;
    const row = h("tr", { dataset: { id: m.id || "" } },
      h("td", { class: "m-id num", text: m.id || "—" }),
      h("td", {}, h("input", { class: "input m-name", type: "text", value: m.name || "", maxlength: "100", "aria-label": col(1) }),
        h("input", { class: "input m-name_en", type: "text", value: m.name_en || "", maxlength: "100", placeholder: tr("english"), "aria-label": col(1) + " · " + tr("english") })),
      h("td", {}, select),
      h("td", {}, h("input", { class: "input m-copies num", type: "number", min: "1", max: "99", value: String(m.copies || 1), "aria-label": col(3) })),
      h("td", { class: "center" }, required),
      h("td", {}, h("input", { class: "input m-notes", type: "text", value: m.notes || "", maxlength: "500", "aria-label": col(5) }),
        h("input", { class: "input m-notes_en", type: "text", value: m.notes_en || "", maxlength: "500", placeholder: tr("english"), "aria-label": col(5) + " · " + tr("english") })),
      h("td", { class: "act nowrap" },
        h("button", { type: "button", class: "btn ghost sq", title: tr("move_up"), "aria-label": tr("move_up"), dataset: { act: "up" }, text: "↑" }),
        h("button", { type: "button", class: "btn ghost sq", title: tr("move_down"), "aria-label": tr("move_down"), dataset: { act: "down" }, text: "↓" }),
        h("button", { type: "button", class: "btn ghost sq red-text", title: tr("remove"), "aria-label": tr("remove"), dataset: { act: "remove" }, text: "✕" })));
    return row;
  }

  rows.addEventListener("click", function (ev) {
    const btn = ev.target.closest("[data-act]");
    if (!btn) return;
    const row = btn.closest("tr");
    if (btn.dataset.act === "remove") row.remove();
    else if (btn.dataset.act === "up" && row.previousElementSibling) rows.insertBefore(row, row.previousElementSibling);
    else if (btn.dataset.act === "down" && row.nextElementSibling) rows.insertBefore(row.nextElementSibling, row);
    markDirty();
  });
  $("guide-form").addEventListener("input", markDirty);
  $("add-material").addEventListener("click", function () {
    const row = materialRow({ name: "", form: "original", copies: 1, required: true, notes: "" });
    rows.appendChild(row);
    row.querySelector(".m-name").focus();
    markDirty();
  });

  function fill(data) {
    const g = data.guide;
    rows.textContent = "";
    g.materials.forEach(function (m) { rows.appendChild(materialRow(m)); });
    $("steps").value = g.steps.join("\n");
    $("legal_limit_days").value = g.legal_limit_days === null ? "" : String(g.legal_limit_days);
    $("promised_limit_days").value = g.promised_limit_days === null ? "" : String(g.promised_limit_days);
    $("warn_days").value = g.warn_days === null || g.warn_days === undefined ? "" : String(g.warn_days);
    $("fees").value = g.fees;
    $("legal_basis").value = g.legal_basis;
    $("keywords").value = g.keywords.join("、");
    $("steps_en").value = (g.steps_en || []).join("\n");
    $("fees_en").value = g.fees_en || "";
    $("legal_basis_en").value = g.legal_basis_en || "";
    $("keywords_en").value = (g.keywords_en || []).join(", ");
    $("windows").textContent = g.windows.length
      ? g.windows.map(function (w) { return tr("window_n_status", { n: w.number }); }).join("、")
      : tr("no_windows");
  }

  /** A number field as the API wants it: blank → null; anything else is sent as typed, for the API to judge. */
  function days(id) {
    const v = $(id).value.trim();
    if (v === "") return null;
    return /^-?\d+$/.test(v) ? Number(v) : v;
  }

  function collect() {
    const materials = Array.prototype.map.call(rows.querySelectorAll("tr"), function (row) {
      const copies = row.querySelector(".m-copies").value.trim();
      const m = {
        name: row.querySelector(".m-name").value,
        form: row.querySelector(".m-form").value,
        copies: /^-?\d+$/.test(copies) ? Number(copies) : copies,
        required: row.querySelector(".m-required").checked,
        notes: row.querySelector(".m-notes").value,
        name_en: row.querySelector(".m-name_en").value,
        notes_en: row.querySelector(".m-notes_en").value,
      };
      if (row.dataset.id) m.id = row.dataset.id;
      return m;
    });
    return {
      materials: materials,
      steps: $("steps").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
      legal_limit_days: days("legal_limit_days"),
      promised_limit_days: days("promised_limit_days"),
      warn_days: days("warn_days"),
      fees: $("fees").value,
      legal_basis: $("legal_basis").value,
      keywords: $("keywords").value.split(/[,，、;；\n]+/).map(function (s) { return s.trim(); }).filter(Boolean),
      steps_en: $("steps_en").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
      fees_en: $("fees_en").value,
      legal_basis_en: $("legal_basis_en").value,
      keywords_en: $("keywords_en").value.split(/[,，、;；\n]+/).map(function (s) { return s.trim(); }).filter(Boolean),
    };
  }

  /** The input a field path points at: materials[2].copies → row 3's copies box. */
  function inputFor(path) {
    const m = /^materials\[(\d+)\](?:\.(\w+))?/.exec(path);
    if (m) {
      const row = rows.querySelectorAll("tr")[Number(m[1])];
      if (!row) return null;
      return m[2] ? row.querySelector(".m-" + m[2]) : row;
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
    $("save-state").textContent = tr("saving");
    $("save-state").className = "save-state";
    let saved = null, fail = null;
    try {
      saved = await api("PUT", url, collect());
    } catch (err) {
      fail = err;
    }
    $("save").disabled = false;
    if (!fail) {
      fill(saved);
      dirty = false;
      $("save-state").textContent = tr("saved");
      $("save-state").className = "save-state ok";
      return;
    }
    $("save-state").textContent = tr("save_failed");
    $("save-state").className = "save-state bad";
    $("errors").appendChild(errorList(tr("save_failed"), fail));
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
      fill(await api("GET", url));
      editor.dataset.ready = "1";
    } catch (err) {
      $("errors").textContent = tr("load_failed") + " — " + errorText(err);
      $("errors").hidden = false;
    }
  })();
}
