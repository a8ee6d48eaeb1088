/* hallq — voice calls in the administration pages (docs/voice.md): on the hall page, how many
 * times boards speak each call, English after it, and the hall's own recorded clips; on the
 * devices page, which board speaks for which zone (one speaker per zone). */
import { tr } from "./lib/i18n.js";
import { $, h } from "./lib/dom.js";
import { api } from "./lib/api.js";
import { say, sayError } from "./lib/toast.js";

const root = document.getElementById("admin");
const hall = root.dataset.hall;
const V1 = "/api/v1";
const voicePath = V1 + "/halls/" + encodeURIComponent(hall) + "/voice";

function fileBase64(file) {
  return new Promise(function (resolve, reject) {
    const reader = new FileReader();
    reader.onload = function () { resolve(String(reader.result)); };
    reader.onerror = function () { reject(reader.error); };
    reader.readAsDataURL(file);
  });
}

// digits, letters, then the words in the order a call says them (domain/announce.py CLIP_KEYS)
const CLIP_ORDER = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").concat(["请", "号", "到", "窗口办理", "十", "百"]);
function clipRank(key) {
  const i = CLIP_ORDER.indexOf(key);
  return i === -1 ? CLIP_ORDER.length : i;
}

function settings() {
  const card = $("voice-card");
  if (!card) return;
  function show(v) {
    $("vc-engine").textContent = v.degraded ? tr("voice_degraded") : tr("voice_engine", { engine: v.engine || "", voice: v.voice || "" });
    $("vc-engine").className = "pill " + (v.degraded ? "warn" : "ok");
    $("vc-times").value = v.times;
    $("vc-english").checked = !!v.english;
    const grid = $("vc-clips");
    grid.textContent = "";
    v.clips.concat(v.clips_missing).sort(function (a, b) { return clipRank(a) - clipRank(b); }).forEach(function (key) {
      const have = v.clips.indexOf(key) !== -1;
      const input = h("input", { type: "file", accept: ".wav,audio/wav", hidden: true, dataset: { key: key } });
      input.addEventListener("change", async function () {
        const f = input.files && input.files[0];
        if (!f) return;
        try {
          show(await api("PUT", voicePath + "/clips/" + encodeURIComponent(key), { audio: await fileBase64(f) }));
          say(tr("clip_saved", { key: key }));
        } catch (e) { sayError(e); }
      });
      grid.appendChild(h("li", { class: "clip " + (have ? "have" : "missing"), dataset: { key: key } },
        h("b", { class: "num", text: key }),
        h("label", { class: "btn ghost sm" }, input, document.createTextNode(have ? tr("clip_replace") : tr("clip_upload"))),
        have ? h("button", { type: "button", class: "btn ghost sm", text: tr("clip_delete"), onclick: async function () {
          try { show(await api("DELETE", voicePath + "/clips/" + encodeURIComponent(key))); } catch (e) { sayError(e); }
        } }) : null));
    });
    $("vc-stitched").textContent = v.clips_missing.length ? tr("clips_missing", { n: v.clips_missing.length }) : tr("clips_complete");
  }
  $("voice-form").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    try {
      show(await api("PATCH", voicePath, { announce_times: Number($("vc-times").value), announce_english: $("vc-english").checked }));
      say(tr("voice_saved"));
    } catch (e) { sayError(e); }
  });
  api("GET", voicePath).then(show, sayError);
}

function speakers() {
  const card = $("speakers-card");
  if (!card) return;
  async function load() {
    const res = await api("GET", V1 + "/halls/" + encodeURIComponent(hall) + "/devices");
    const boards = (res.devices || []).filter(function (d) { return d.role === "board" && !d.revoked; });
    const body = $("speakers-body");
    body.textContent = "";
    if (!boards.length) body.appendChild(h("tr", {}, h("td", { colspan: "4", class: "muted", text: tr("no_boards") })));
    boards.forEach(function (d) {
      const on = h("input", { type: "checkbox" });
      on.checked = !!d.speaker;
      const zone = h("input", { type: "text", class: "input", maxlength: "32", value: d.zone || "", placeholder: tr("zone_hint") });
      body.appendChild(h("tr", { dataset: { tokenId: String(d.id) } },
        h("td", { text: d.label || "#" + d.id }),
        h("td", {}, h("label", { class: "check" }, on, document.createTextNode(tr("speaker")))),
        h("td", {}, zone),
        h("td", { class: "act" }, h("button", { type: "button", class: "btn ghost sm", text: tr("save"), onclick: async function () {
          try {
            await api("PUT", V1 + "/devices/" + d.id + "/speaker", { speaker: on.checked, zone: zone.value.trim() || null });
            say(tr("speaker_saved"));
            load();
          } catch (e) { sayError(e); }
        } }))));
    });
  }
  load().catch(sayError);
}

settings();
speakers();
