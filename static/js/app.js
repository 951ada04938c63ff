// Small behaviours that need no library: the area picker's open/close.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".picker-toggle");
  var panel = document.getElementById("picker-panel");
  if (!panel) return;
  if (toggle) {
    var open = panel.hasAttribute("hidden");
    panel.toggleAttribute("hidden", !open);
    toggle.setAttribute("aria-expanded", String(open));
  } else if (!event.target.closest(".area-picker")) {
    panel.setAttribute("hidden", "");
    document.querySelector(".picker-toggle").setAttribute("aria-expanded", "false");
  }
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    var panel = document.getElementById("picker-panel");
    if (panel) panel.setAttribute("hidden", "");
  }
});
