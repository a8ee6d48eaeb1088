/* hallq — small behaviours any page may use, kept in a file: the Content-Security-Policy runs
   no inline script and no onclick="…" attribute.
   <select data-autosubmit> submits its form when changed; a [data-print] button prints the page. */
document.addEventListener("change", function (e) {
  const t = e.target;
  if (t instanceof HTMLSelectElement && t.hasAttribute("data-autosubmit") && t.form) t.form.submit();
});
document.addEventListener("click", function (e) {
  const b = e.target instanceof Element ? e.target.closest("[data-print]") : null;
  if (b) window.print();
});
