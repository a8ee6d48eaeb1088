/* hallq — waiting counts per service: the snapshot's, then those every event carries.
 *
 * The server puts {service code: count} in `data.waiting` of the events that change a queue
 * (ticket.issued / called / no_show / ..., ticket.transferred for both services, queue.moved),
 * counted in the same transaction: the latest event's count is the truth. (window.alarm's
 * `waiting` is a number of citizens, not counts, and is not merged.) */

/** The counts an event carries ({code: n}), or null. */
export function waitingOf(env) {
  const d = env && env.data;
  return d && d.waiting && typeof d.waiting === "object" ? d.waiting : null;
}

export class WaitingCounts {
  constructor() {
    this.counts = {};
  }

  /** A full state: the snapshot's counts replace what we had. */
  reset(snap) {
    this.counts = Object.assign({}, (snap && snap.waiting) || {});
  }

  /** Merges the counts an event carries; true when it carried any. */
  apply(env) {
    const w = waitingOf(env);
    if (!w) return false;
    Object.assign(this.counts, w);
    return true;
  }

  /** Citizens waiting for one service. */
  of(code) {
    return this.counts[code] || 0;
  }

  /** Citizens waiting for any of these services. */
  sum(codes) {
    const self = this;
    return (codes || []).reduce(function (n, code) { return n + self.of(code); }, 0);
  }
}
