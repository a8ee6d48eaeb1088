/* hallq — the live connection every page shares.
 *
 * Connects Socket.IO, subscribes to the hall (and optionally a window or a ticket) on every
 * connect with the last seq seen, and turns the server's answers into two callbacks:
 *   onSnapshot(snapshot)  — a full state: render everything from it
 *   onEvent(envelope)     — one event, delivered exactly once and in seq order
 * A pushed event that skips a seq triggers a re-subscribe with since = last seq, so a board
 * never silently misses a call and never needs F5; so does the server's `realtime.resync` (sent
 * when the message queue between server processes comes back after an outage).
 *
 * Usage: live({hall, window?, ticket?, token?, onSnapshot, onEvent, onStatus?}). Socket.IO is the
 * vendored classic script (the global `io`), loaded before the page's module.
 */
import { h } from "./dom.js";
import { tr } from "./i18n.js";

const EVENT_TYPES = [
  "ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.transferred",
  "ticket.done", "ticket.no_show", "ticket.cancelled", "ticket.reactivated", "ticket.no_show_undone",
  "window.updated", "queue.updated", "printer.status", "print.updated",
];

export function live(opts) {
  const state = {
    lastSeq: null,       // last seq applied; null until the first snapshot
    syncing: false,      // a subscribe is in flight: pushed events are buffered meanwhile
    buffer: [],
    connected: false,
  };

  let indicator = document.getElementById("live-indicator");
  if (!indicator) {
    indicator = h("div", { id: "live-indicator", class: "live-indicator", role: "status", "aria-live": "polite" });
    document.body.appendChild(indicator);
  }
  function setStatus(kind, text) {
    indicator.className = "live-indicator live-" + kind;
    indicator.textContent = text || "";
    document.body.dataset.live = kind;
    if (opts.onStatus) {
      try { opts.onStatus(kind); } catch (e) { console.error(e); }
    }
  }
  setStatus("connecting", tr("connecting"));

  if (typeof window.io !== "function") {
    setStatus("down", tr("reconnecting"));
    return state;
  }

  const socket = window.io({
    auth: opts.token ? { token: opts.token } : {},
    transports: ["websocket", "polling"],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  state.socket = socket;

  function apply(env) {
    if (typeof env.seq !== "number") return;
    if (state.lastSeq !== null && env.seq <= state.lastSeq) return;
    state.lastSeq = env.seq;
    try { opts.onEvent(env); } catch (e) { console.error("hallq: event handler failed", env, e); }
  }

  function subscribe() {
    state.syncing = true;
    const payload = { hall: opts.hall, since: state.lastSeq };
    if (opts.window !== undefined && opts.window !== null) payload.window = opts.window;
    if (opts.ticket) payload.ticket = opts.ticket;
    const sent = socket;
    socket.timeout(10000).emit("subscribe", payload, function (err, ack) {
      if (sent !== socket) return;
      if (err) {
        // No answer in time: try again while still connected.
        state.syncing = false;
        if (socket.connected) subscribe();
        return;
      }
      handleAck(ack);
    });
  }

  function handleAck(ack) {
    if (!ack || ack.error) {
      state.syncing = false;
      const msg = ack && ack.error ? ack.error.message : "";
      setStatus("error", tr("subscribe_failed") + (msg ? " — " + msg : ""));
      // A refused subscription (e.g. a revoked token) is retried slowly, not hammered.
      setTimeout(function () { if (socket.connected) subscribe(); }, 10000);
      return;
    }
    if (ack.snapshot) {
      state.lastSeq = typeof ack.seq === "number" ? ack.seq : ack.snapshot.seq;
      try { opts.onSnapshot(ack.snapshot); } catch (e) { console.error("hallq: snapshot render failed", e); }
    } else if (Array.isArray(ack.events)) {
      ack.events.forEach(apply);
      if (typeof ack.seq === "number" && (state.lastSeq === null || ack.seq > state.lastSeq)) {
        state.lastSeq = ack.seq;
      }
    }
    state.syncing = false;
    setStatus("ok", "");
    // Events pushed while the subscribe was in flight: apply what the ack did not cover.
    const pending = state.buffer.sort(function (a, b) { return a.seq - b.seq; });
    state.buffer = [];
    pending.forEach(onPushed);
  }

  function onPushed(env) {
    if (!env || typeof env.seq !== "number") return;
    if (state.syncing || state.lastSeq === null) {
      state.buffer.push(env);
      return;
    }
    if (env.seq <= state.lastSeq) return;
    if (env.seq > state.lastSeq + 1) {
      // A gap: fetch what we missed (the ack brings this event too) instead of guessing.
      state.buffer.push(env);
      subscribe();
      return;
    }
    apply(env);
  }

  EVENT_TYPES.forEach(function (type) { socket.on(type, onPushed); });
  // Types added by the server later still reach us, as long as they carry a seq.
  socket.onAny(function (name, payload) {
    if (EVENT_TYPES.indexOf(name) === -1 && payload && typeof payload === "object" && payload.type === name) onPushed(payload);
  });

  socket.on("connect", function () {
    state.connected = true;
    state.buffer = [];
    subscribe();
  });
  socket.on("disconnect", function (reason) {
    state.connected = false;
    state.syncing = false;
    setStatus("down", tr("reconnecting"));
    // The server closed us on purpose (e.g. restart with a kick): reconnect anyway.
    if (reason === "io server disconnect") setTimeout(function () { socket.connect(); }, 1000);
  });
  socket.on("connect_error", function (err) {
    // The server refuses a revoked or mistyped device token: say so, a retry will not fix it.
    const refused = err && /token/i.test(String(err.message || ""));
    setStatus(refused ? "error" : "down", refused ? tr("token_refused") : tr("reconnecting"));
    // A refused handshake (bad token) is not retried by the client itself: do it slowly.
    if (!socket.active) setTimeout(function () { socket.connect(); }, 5000);
  });

  state.resync = function () { if (socket.connected) subscribe(); };
  // The message queue between server processes was down and is back (server/realtime/queue.py):
  // pushes may have been lost, so fetch what came after our last seq. Spread over two seconds,
  // since every socket of the hall hears it at once.
  socket.on("realtime.resync", function () {
    setTimeout(state.resync, Math.floor(Math.random() * 2000));
  });
  // Every live connection of the page, for the browser tests and for debugging in the console.
  const hallq = (window.hallq = window.hallq || {});
  (hallq.connections = hallq.connections || []).push(state);
  return state;
}
