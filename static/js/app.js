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
// A form is sent once: a second click (or Enter) while the first is on its way does nothing.
// The submission token in create forms makes a repeat harmless on the server as well.
document.addEventListener("submit", function (event) {
  var form = event.target;
  // Forms sent by script (fetch, htmx) manage their own state.
  if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("data-allow-resubmit")) return;
  if ((form.method || "").toLowerCase() !== "post") return;
  if (form.dataset.sending === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  form.setAttribute("aria-busy", "true");
  // Disable after the browser has taken the form's data (a disabled button is not sent).
  setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = true;
    });
  }, 0);
});
// Back/forward cache: a page shown again can be submitted again (its token decides).
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sending='1']").forEach(function (form) {
    form.dataset.sending = "";
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
  });
});
// Phones (below 600 px) read every list as cards: each cell is labelled with its column's
// heading (CSS shows the label before the value). Tables marked .keep-table stay tables.
function labelGridCells(root) {
  (root || document).querySelectorAll("table.grid:not(.keep-table)").forEach(function (table) {
    var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!headRow) return;
    var labels = [];
    Array.prototype.forEach.call(headRow.cells, function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) labels.push(th.textContent.trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1) {
            cell.setAttribute("data-label", labels[column] || "");
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("cards-ready");
  });
}
document.addEventListener("DOMContentLoaded", function () { labelGridCells(); });
document.addEventListener("htmx:afterSettle", function (event) { labelGridCells(event.target); });
