// Keyboard use of the workspace: j/k move through a list, Enter opens, "/" jumps to search, "g q" to the queue.
(function () {
  "use strict";
  var pendingG = false;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table[data-nav] tr[data-href]")); }
  function select(list, i) {
    list.forEach(function (r) { r.classList.remove("sel"); r.removeAttribute("aria-selected"); });
    var r = list[i]; if (!r) { return; }
    r.classList.add("sel"); r.setAttribute("aria-selected", "true"); r.tabIndex = -1; r.focus(); r.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target; var tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var list = rows(); var cur = list.findIndex(function (r) { return r.classList.contains("sel"); });
    if (pendingG) { pendingG = false; if (e.key === "q") { window.location.href = "/queue"; } return; }
    if (e.key === "j") { select(list, Math.min(cur + 1, list.length - 1)); e.preventDefault(); }
    else if (e.key === "k") { select(list, Math.max(cur - 1, 0)); e.preventDefault(); }
    else if (e.key === "Enter" && cur >= 0 && tag !== "A" && tag !== "BUTTON") { window.location.href = list[cur].getAttribute("data-href"); }
    else if (e.key === "/") { var s = document.querySelector("[data-search]"); if (s) { s.focus(); } else { window.location.href = "/search"; } e.preventDefault(); }
    else if (e.key === "g") { pendingG = true; }
  });
  document.addEventListener("click", function (e) {
    var tr = e.target.closest && e.target.closest("tr[data-href]");
    if (tr && !e.target.closest("a, button, input, select, textarea, form, details")) { window.location.href = tr.getAttribute("data-href"); }
  });
})();
