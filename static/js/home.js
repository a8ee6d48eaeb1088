/* hallq — the start page: list every window board of each hall (the snapshot is public while
 * public boards are on). */
import { tr } from "./lib/i18n.js";
import { h } from "./lib/dom.js";
import { api, paths } from "./lib/api.js";
import { pages } from "./lib/links.js";

document.querySelectorAll("[data-window-links]").forEach(async function (box) {
  const hall = box.dataset.windowLinks;
  try {
    const snap = await api("GET", paths.snapshot(hall));
    (snap.windows || []).forEach(function (w) {
      box.appendChild(h("a", { href: pages.windowBoard(hall, w.id), text: tr("window_n", { n: w.number }) }));
    });
  } catch (e) { /* private boards: the single link above stays */ }
});
