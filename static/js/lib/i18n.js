/* hallq — translated strings. They are translated server-side and handed over as JSON in
 * <script type="application/json" id="hallq-strings">, so JS never carries a catalog. */

function readStrings() {
  const el = document.getElementById("hallq-strings");
  if (!el) return {};
  try { return JSON.parse(el.textContent || "{}"); } catch (e) { return {}; }
}

export const strings = readStrings();

/** The page language: "zh-CN" or "en" (the <html lang> the server wrote). */
export const lang = document.documentElement.getAttribute("lang") || "zh-CN";

/** tr("key", {n: 3}) → the translated string with {n} replaced. */
export function tr(key, params) {
  let s = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  if (params) {
    Object.keys(params).forEach(function (k) {
      s = s.split("{" + k + "}").join(String(params[k]));
    });
  }
  return s;
}

/** A service's (or category's) name in the page language: name_en in English when it has one. */
export function localName(obj) {
  return lang === "en" && obj.name_en ? obj.name_en : obj.name;
}

/** Any name a hall configured, in the page language: obj[key + "_en"] in English where the hall
 *  set it, else the Chinese obj[key] (localText(hall, "commitments"), localText(t, "service_name")). */
export function localText(obj, key) {
  if (!obj) return "";
  const en = obj[key + "_en"];
  return lang === "en" && en ? en : obj[key];
}

/** The {zh, en} message of an event (a transfer's "where to go") in the page language. */
export function localMessage(m) {
  if (!m) return "";
  return lang === "en" ? m.en : m.zh;
}

/** Ticket status → translated label. */
export function statusLabel(status) {
  return tr("status_" + status);
}

/** "3号窗口" / "Window 3" for a window object (number preferred over its free-text name). */
export function windowLabel(win) {
  if (!win) return "";
  return tr("window_n", { n: win.number });
}
