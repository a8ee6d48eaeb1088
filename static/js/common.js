/* hallq — helpers shared by every page: translated strings, device tokens, the JSON API.
 * Plain ES2017, no build step. Exposes window.hallq. */
(function () {
  "use strict";
  const H = (window.hallq = window.hallq || {});

  // Strings are translated server-side and handed over as JSON, so JS never carries a catalog.
  let strings = {};
  const el = document.getElementById("hallq-strings");
  if (el) {
    try { strings = JSON.parse(el.textContent || "{}"); } catch (e) { strings = {}; }
  }
  H.strings = strings;

  /** t("key", {n: 3}) → the translated string with {n} replaced. */
  H.t = function (key, params) {
    let s = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (params) {
      Object.keys(params).forEach(function (k) {
        s = s.split("{" + k + "}").join(String(params[k]));
      });
    }
    return s;
  };

  H.lang = document.documentElement.getAttribute("lang") || "zh-CN";

  /** Minutes for an estimated wait, rounded up; null stays null. */
  H.waitMinutes = function (seconds) {
    if (seconds === null || seconds === undefined) return null;
    return Math.max(0, Math.ceil(Number(seconds) / 60));
  };

  H.escape = function (s) {
    return String(s === null || s === undefined ? "" : s)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  };

  /** Shorthand for creating an element: h("div", {class: "x"}, child, "text"). */
  H.h = function (tag, attrs) {
    const node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k.slice(0, 2) === "on" && typeof v === "function") node.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.assign(node.dataset, v);
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    for (let i = 2; i < arguments.length; i++) {
      const c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) node.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      else node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return node;
  };

  /**
   * The device token of this page: `?token=` in the URL wins and is remembered per hall and
   * role in localStorage, so a board that reboots to the bare URL keeps working. The token is
   * then removed from the address bar so it is not left on screen.
   */
  H.deviceToken = function (role, hall) {
    const key = "hallq:token:" + role + ":" + hall;
    const params = new URLSearchParams(window.location.search);
    const fromUrl = params.get("token");
    let stored = null;
    try { stored = window.localStorage.getItem(key); } catch (e) { stored = null; }
    if (fromUrl) {
      try { window.localStorage.setItem(key, fromUrl); } catch (e) { /* private mode: URL only */ }
      params.delete("token");
      const qs = params.toString();
      try {
        window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
      } catch (e) { /* ignore */ }
      return fromUrl;
    }
    return stored;
  };

  H.forgetDeviceToken = function (role, hall) {
    try { window.localStorage.removeItem("hallq:token:" + role + ":" + hall); } catch (e) { /* ignore */ }
  };

  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  H.csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

  /** An API failure: HTTP status (0 = network), the server's error code and message. */
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  H.ApiError = ApiError;

  /**
   * Calls the JSON API. opts.token → `Authorization: Bearer`; otherwise the session cookie
   * is used and unsafe methods carry the CSRF token from the page's meta tag.
   * Resolves to the parsed body (null for 204), rejects with ApiError.
   */
  H.api = async function (method, path, body, opts) {
    opts = opts || {};
    const headers = { Accept: "application/json" };
    if (body !== undefined && body !== null) headers["Content-Type"] = "application/json";
    if (opts.token) headers.Authorization = "Bearer " + opts.token;
    else if (method !== "GET" && H.csrfToken) headers["X-CSRFToken"] = H.csrfToken;
    let res;
    try {
      res = await fetch(path, {
        method: method,
        headers: headers,
        body: body !== undefined && body !== null ? JSON.stringify(body) : undefined,
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (e) {
      throw new ApiError(0, "network", H.t("network_error"));
    }
    if (res.status === 204) return null;
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = data && data.error ? data.error : {};
      throw new ApiError(res.status, err.code || "http_" + res.status, err.message || H.t("http_error", { status: res.status }));
    }
    return data;
  };

  /** A human sentence for an ApiError, in the page language. */
  H.errorText = function (err) {
    if (!err) return "";
    if (err.status === 0) return H.t("network_error");
    const prefix = {
      401: H.t("error_401"),
      403: H.t("error_403"),
      404: H.t("error_404"),
      409: H.t("error_409"),
    }[err.status];
    return prefix ? prefix + " — " + err.message : err.message;
  };

  /** Calls fn at most once per `ms`, trailing — for refreshes triggered by bursts of events. */
  H.debounce = function (fn, ms) {
    let timer = null;
    return function () {
      const args = arguments;
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () { timer = null; fn.apply(null, args); }, ms);
    };
  };

  /** Clock text for the hall's own timezone (a board may sit in a browser set to UTC). */
  H.clock = function (timeZone) {
    const locale = H.lang === "en" ? "en-GB" : "zh-CN";
    let timeFmt, dateFmt;
    try {
      timeFmt = new Intl.DateTimeFormat(locale, { timeZone: timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
      dateFmt = new Intl.DateTimeFormat(locale, { timeZone: timeZone, year: "numeric", month: "long", day: "numeric", weekday: "long" });
    } catch (e) {
      timeFmt = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
      dateFmt = new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", day: "numeric", weekday: "long" });
    }
    return function () {
      const now = new Date();
      return { time: timeFmt.format(now), date: dateFmt.format(now) };
    };
  };

  /** Short local time (HH:MM) of an ISO timestamp, in the hall's timezone. */
  H.shortTime = function (iso, timeZone) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      return new Intl.DateTimeFormat("zh-CN", { timeZone: timeZone, hour: "2-digit", minute: "2-digit", hour12: false }).format(d);
    } catch (e) {
      return d.toTimeString().slice(0, 5);
    }
  };

  /** "3号窗口" as nodes with the number in <b> — the word order follows the language. */
  H.windowNodes = function (n) {
    const parts = H.t("window_n").split("{n}");
    const out = [];
    if (parts[0].trim()) out.push(H.h("span", { class: "unit", text: parts[0].trim() }));
    out.push(H.h("b", { class: "num", text: String(n) }));
    if (parts.length > 1 && parts[1].trim()) out.push(H.h("span", { class: "unit", text: parts[1].trim() }));
    return out;
  };

  /** Ticket status → translated label. */
  H.statusLabel = function (status) {
    return H.t("status_" + status);
  };

  /** "3号窗口" / "Window 3" for a window object (number preferred over its free-text name). */
  H.windowLabel = function (win) {
    if (!win) return "";
    return H.t("window_n", { n: win.number });
  };
})();
