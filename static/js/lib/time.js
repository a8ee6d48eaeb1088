/* hallq — times and dates in the hall's own timezone (a board may sit in a browser set to UTC). */
import { lang } from "./i18n.js";

/** Minutes for an estimated wait, rounded up; null stays null. */
export function waitMinutes(seconds) {
  if (seconds === null || seconds === undefined) return null;
  return Math.max(0, Math.ceil(Number(seconds) / 60));
}

/** A clock for the hall's timezone: clock(tz)() → {time, date} of now. */
export function clock(timeZone) {
  const locale = lang === "en" ? "en-GB" : "zh-CN";
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
}

/**
 * A clock on screen: show({time, date}) now and every second, in the browser's zone until
 * setZone(tz) is called with the hall's (from the snapshot).
 */
export function tickingClock(show) {
  let now = clock(undefined);
  function tick() { show(now()); }
  tick();
  setInterval(tick, 1000);
  return {
    setZone: function (timeZone) { now = clock(timeZone); tick(); },
  };
}

function formatIn(iso, timeZone, opts, fallback) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d.getTime())) return "";
  try {
    return new Intl.DateTimeFormat("zh-CN", Object.assign({ timeZone: timeZone, hour12: false }, opts)).format(d);
  } catch (e) {
    return fallback(d);
  }
}

/** Short local time (HH:MM) of an ISO timestamp, in the hall's timezone. */
export function shortTime(iso, timeZone) {
  return formatIn(iso, timeZone, { hour: "2-digit", minute: "2-digit" }, function (d) { return d.toTimeString().slice(0, 5); });
}

/** "HH:MM:SS" of an ISO timestamp in the hall's timezone. */
export function clockTime(iso, timeZone) {
  return formatIn(iso, timeZone, { hour: "2-digit", minute: "2-digit", second: "2-digit" }, function (d) { return d.toTimeString().slice(0, 8); });
}

/** "MM-DD HH:MM" of an ISO timestamp in the hall's timezone. */
export function dayTime(iso, timeZone) {
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
}

/** Today (plus offsetDays) in the hall's timezone, as YYYY-MM-DD (the business day of a date picker). */
export function hallToday(timeZone, offsetDays) {
  const d = new Date(Date.now() + (offsetDays || 0) * 86400000);
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  } catch (e) {
    return d.toISOString().slice(0, 10);
  }
}
