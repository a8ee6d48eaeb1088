/* hallq — the JSON API: every /api/v1 path the pages call, and the one fetch helper. */
import { tr } from "./i18n.js";

const V1 = "/api/v1";
const enc = encodeURIComponent;

/** Every /api/v1 path of the pages, in one place. */
export const paths = {
  me: () => V1 + "/me",
  myFollowUps: () => V1 + "/me/follow-ups",
  myHandovers: () => V1 + "/me/handovers",
  leaves: () => V1 + "/leaves",
  user: (username) => V1 + "/users/" + enc(username),
  revokeDevice: (id) => V1 + "/devices/" + id + "/revoke",
  printers: (hall) => V1 + "/printers" + (hall ? "?hall=" + enc(hall) : ""),
  failedPrintJobs: () => V1 + "/print-jobs/failed",

  halls: () => V1 + "/halls",
  hall: (hall) => V1 + "/halls/" + enc(hall),
  snapshot: (hall) => paths.hall(hall) + "/snapshot",
  alarms: (hall) => paths.hall(hall) + "/alarms",
  hallUsers: (hall) => paths.hall(hall) + "/users",
  hallDevices: (hall) => paths.hall(hall) + "/devices",
  hallWindows: (hall) => paths.hall(hall) + "/windows",
  hallLeaves: (hall) => paths.hall(hall) + "/leaves",
  attendance: (hall, day) => paths.hall(hall) + "/attendance" + (day ? "?day=" + enc(day) : ""),
  /** The audit log; `query` is a URLSearchParams (format=csv for the export). */
  audit: (hall, query) => paths.hall(hall) + "/audit" + (query ? "?" + query.toString() : ""),
  /** The overdue report; `query` is a URLSearchParams (from, to, format=csv|xlsx). */
  overdue: (hall, query) => paths.hall(hall) + "/overdue" + (query ? "?" + query.toString() : ""),
  figures: (hall, days) => paths.hall(hall) + "/figures?days=" + days,
  /** The evaluation; `query` is a URLSearchParams (from, to, by, service, window, clerk, format). */
  evaluation: (hall, query) => paths.hall(hall) + "/evaluation" + (query ? "?" + query.toString() : ""),
  /** POST: run the staffing simulator in memory (the manager's simulation page). */
  simulation: (hall) => paths.hall(hall) + "/simulation",
  /** This month's public satisfaction rate per window (the hall board). */
  satisfaction: (hall) => paths.hall(hall) + "/satisfaction",
  repeatTrips: (hall) => paths.hall(hall) + "/repeat-trips",
  moveTickets: (hall) => paths.hall(hall) + "/move-tickets",
  service: (hall, code) => paths.hall(hall) + "/services/" + enc(code),
  guide: (hall, code) => paths.service(hall, code) + "/guide",
  guideSearch: (hall, q) => paths.hall(hall) + "/guides/search?q=" + enc(q),
  guideImport: (hall, format) => paths.hall(hall) + "/guides/import?format=" + format,

  window: (id) => V1 + "/windows/" + id,
  /** sign-in, sign-out, call-next, pause, resume, close, posts, services */
  windowAction: (id, action) => paths.window(id) + "/" + action,

  tickets: () => V1 + "/tickets",
  ticket: (id) => V1 + "/tickets/" + enc(id),
  /** recall, start, no-show, complete, transfer, notice, reprint */
  ticketAction: (id, action) => paths.ticket(id) + "/" + action,
  /** 好差评: the rating of a ticket (POST rates, GET says whether the phone may) */
  rating: (id) => paths.ticket(id) + "/rating",

  /** follow-ups (差评, 投诉); `query` is a URLSearchParams (status, urgency) */
  hallComplaints: (hall, query) => paths.hall(hall) + "/complaints" + (query ? "?" + query.toString() : ""),
  complaints: () => V1 + "/complaints",
  complaint: (code) => V1 + "/complaints/" + enc(code),
  /** verify, answer */
  complaintAction: (code, action) => paths.complaint(code) + "/" + action,
};

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
export const csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

/**
 * An API failure: HTTP status (0 = network), the server's error code and message, and every
 * bad field of a refused request as `errors` ([{field, message}]: the API's `errors`, else its one field).
 */
export class ApiError extends Error {
  constructor(status, code, message, errors) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors || [];
  }
}

/**
 * Calls the JSON API. opts.token → `Authorization: Bearer`; otherwise the session cookie
 * is used and unsafe methods carry the CSRF token from the page's meta tag. opts.contentType
 * sends `body` as that text as is (an import file) instead of as JSON.
 * Resolves to the parsed body (null for 204), rejects with ApiError.
 */
export async function api(method, path, body, opts) {
  opts = opts || {};
  const headers = { Accept: "application/json" };
  const hasBody = body !== undefined && body !== null;
  if (hasBody) headers["Content-Type"] = opts.contentType || "application/json";
  if (opts.token) headers.Authorization = "Bearer " + opts.token;
  else if (method !== "GET" && csrfToken) headers["X-CSRFToken"] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method: method,
      headers: headers,
      body: hasBody ? (opts.contentType ? body : JSON.stringify(body)) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "network", tr("network_error"));
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const errors = err.errors || (err.field ? [{ field: err.field, message: err.message }] : []);
    throw new ApiError(res.status, err.code || "http_" + res.status, err.message || tr("http_error", { status: res.status }), errors);
  }
  return data;
}

/** A human sentence for an ApiError, in the page language. */
export function errorText(err) {
  if (!err) return "";
  if (err.status === 0) return tr("network_error");
  const prefix = {
    401: tr("error_401"),
    403: tr("error_403"),
    404: tr("error_404"),
    409: tr("error_409"),
  }[err.status];
  return prefix ? prefix + " — " + err.message : err.message;
}
