/* hallq — the citizen's phone page for one ticket: live position, wait, "go to window N". */
import { localMessage, localText, statusLabel, tr } from "./lib/i18n.js";
import { $, debounce, vibrate } from "./lib/dom.js";
import { clock, shortTime, waitMinutes } from "./lib/time.js";
import { api, paths } from "./lib/api.js";
import { live } from "./lib/live.js";

const root = document.getElementById("ticket-page");
const ticketId = root.dataset.ticketId;
const hall = root.dataset.hall;

const hallClock = clock(root.dataset.tz || undefined);
let ticket = JSON.parse($("ticket-initial").textContent);
let alerted = null; // "<status>:<recalls>" we already vibrated for
let lastMove = null; // the ticket.transferred data seen on this page: {to, message}

function render() {
  const t = ticket;
  root.dataset.status = t.status;
  $("t-number").textContent = t.number;
  $("t-service").textContent = localText(t, "service_name");
  $("t-status").textContent = statusLabel(t.status);
  $("t-status").className = "pill " + t.status;
  $("t-queued").textContent = shortTime(t.queued_at, root.dataset.tz || undefined);

  const waiting = t.status === "waiting";
  $("t-facts").hidden = !waiting;
  if (waiting) {
    $("t-ahead").textContent = t.position === null || t.position === undefined ? "—" : t.position;
    const m = waitMinutes(t.estimated_wait_s);
    $("t-wait").textContent = m === null ? "—" : m;
  }
  $("t-hint").textContent = waiting && t.position === 0 ? tr("next_up") : tr("waiting_hint");
  $("t-hint").hidden = !waiting;

  const active = (t.status === "called" || t.status === "serving") && t.window;
  $("called-banner").hidden = !active;
  if (active) {
    $("called-banner").className = "called-banner " + t.status;
    $("called-title").textContent = t.status === "serving"
      ? tr("serving_at", { n: t.window.number })
      : tr("go_to_window", { n: t.window.number });
    $("called-hint").textContent = t.status === "called"
      ? tr("called_hint") + (t.recalls ? " · " + tr("recalled_n", { n: t.recalls }) : "")
      : "";
    const key = t.status + ":" + t.recalls;
    if (t.status === "called" && alerted !== key) {
      alerted = key;
      vibrate([400, 200, 400, 200, 400]);
    }
  }

  renderTransfer(t, waiting);

  const finals = { done: ["done_title", "done_hint"], no_show: ["no_show_title", "no_show_hint"], cancelled: ["cancelled_title", "cancelled_hint"] };
  const fin = finals[t.status];
  $("t-final").hidden = !fin;
  if (fin) {
    $("t-final").className = "tc-final " + t.status;
    $("final-title").textContent = tr(fin[0]);
    $("final-hint").textContent = tr(fin[1]);
  }
  $("t-updated").textContent = tr("updated_at", { time: hallClock().time });
}

// ── transferred (转办): where to go now, in the same queue position ──
function renderTransfer(t, waiting) {
  const chain = t.transfers || [];
  const last = chain.length ? chain[chain.length - 1] : null;
  const toWindow = lastMove ? lastMove.to.window : last ? last.to_window : null;
  const show = waiting && (!!lastMove || !!last);
  $("transfer-banner").hidden = !show;
  if (!show) return;
  const directed = t.directed_window || toWindow;
  $("transfer-title").textContent = directed
    ? tr("transfer_go", { n: directed.number })
    : tr("transfer_service", { service: localText(t, "service_name") });
  const m = lastMove && lastMove.message ? localMessage(lastMove.message) : "";
  $("transfer-message").textContent = m || "";
  $("transfer-message").hidden = !m;
}

async function reload() {
  try {
    ticket = await api("GET", paths.ticket(ticketId));
    render();
  } catch (err) { /* keep what we show; the next event retries */ }
}
const reloadSoon = debounce(reload, 400);

render();
live({
  hall: hall,
  ticket: ticketId,
  onSnapshot: function () { reload(); },
  onEvent: function (env) {
    // The hall's stream names tickets by their public ref; ours is in the page's own view.
    const t = env.data && env.data.ticket;
    const mine = !!t && !!ticket.ref && t.ref === ticket.ref;
    if (mine && env.type === "ticket.transferred") {
      lastMove = { to: env.data.to || {}, message: env.data.message };
      vibrate([300, 150, 300]);
    }
    if (mine) {
      // Our own ticket: show the call at once (no round trip), then fetch the full view.
      ticket = Object.assign({}, ticket, t, { position: t.position, estimated_wait_s: t.estimated_wait_s });
      render();
    }
    reloadSoon();
  },
});
