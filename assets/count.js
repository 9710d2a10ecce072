// Refreshes the signature count on a campaign page now and then. The page works
// without it: the count printed by the server is correct when the page loads.
(function () {
  "use strict";
  var box = document.querySelector("[data-count-url]");
  if (!box || !window.fetch) return;
  var count = box.querySelector("[data-count]");
  var bar = box.querySelector("[role=progressbar]");
  var fill = bar && bar.querySelector("span");
  // The numbers as the page's language writes them (50.000, ۵۰٬۰۰۰) come with the
  // count, formatted by the server (`?lang=` in the URL); the bare number otherwise.
  function show(n, goal, nText, goalText) {
    count.textContent = nText || String(n);
    if (!bar) return;
    bar.setAttribute("aria-valuenow", String(Math.min(n, goal)));
    bar.setAttribute("aria-valuetext", (nText || String(n)) + " / " + (goalText || String(goal)));
    if (fill) fill.style.inlineSize = Math.min(100, Math.floor((n * 100) / Math.max(goal, 1))) + "%";
  }
  function refresh() {
    if (document.hidden) return;
    fetch(box.getAttribute("data-count-url"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && typeof j.confirmed === "number") show(j.confirmed, j.goal, j.confirmed_text, j.goal_text); })
      .catch(function () { /* offline for a moment: keep the last count */ });
  }
  var every = Number(box.getAttribute("data-refresh-seconds")) || 30;
  setInterval(refresh, every * 1000);
  document.addEventListener("visibilitychange", refresh);
})();
