/* hallq — the citizen's case page (/c/<code>): stays current without a reload. Every 30 s (and
 * when the phone comes back to the page) it fetches the page again and, when the case changed,
 * swaps in the new content: state, promised date, history, the confirmation button. */
const root = document.getElementById("case-page");
let busy = false;

async function refresh() {
  if (busy || document.hidden || !root) return;
  busy = true;
  try {
    const res = await fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("case-page");
    const current = document.getElementById("case-page");
    if (fresh && current && fresh.innerHTML !== current.innerHTML) {
      current.replaceWith(document.importNode(fresh, true));
    }
  } catch (e) { /* offline for a moment: the next round tries again */ }
  finally { busy = false; }
}

setInterval(refresh, 30000);
document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
window.hallq = Object.assign(window.hallq || {}, { refreshCase: refresh });
