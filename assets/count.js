// Refreshes the signature count on a campaign page now and then. The page works
// without it: the count printed by the server is correct when the page loads.
(function () {
  "use strict";
  var box = document.querySelector("[data-count-url]");
  if (!box || !window.fetch) return;
  var count = box.querySelector("[data-count]");
  var bar = box.querySelector("[role=progressbar]");
  var fill = bar && bar.querySelector("span");
  var separator = box.getAttribute("data-group") || ",";
  // Grouped as the server groups them, in the page's language: 50,000 or 50.000.
  function group(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  }
  function show(n, goal) {
    count.textContent = group(n);
    if (!bar) return;
    bar.setAttribute("aria-valuenow", String(Math.min(n, goal)));
    bar.setAttribute("aria-valuetext", group(n) + " / " + group(goal));
    if (fill) fill.style.inlineSize = Math.min(100, Math.floor((n * 100) / Math.max(goal, 1))) + "%";
  }
  function refresh() {
    if (document.hidden) return;
    fetch(box.getAttribute("data-count-url"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && typeof j.confirmed === "number") show(j.confirmed, j.goal); })
      .catch(function () { /* offline for a moment: keep the last count */ });
  }
  var every = Number(box.getAttribute("data-refresh-seconds")) || 30;
  setInterval(refresh, every * 1000);
  document.addEventListener("visibilitychange", refresh);
})();
