// The diary entry screen: household chips, matter rows, keyboard shortcuts.
// Everything the clerk picks lives in ordinary form fields, so a failed save
// re-renders it from the server and nothing typed is lost.
(function () {
  "use strict";
  var form = document.getElementById("diary-form");
  if (!form) return;
  var chips = document.getElementById("chosen-households");
  var search = document.getElementById("household-search");
  var results = document.getElementById("household-results");
  var matters = document.getElementById("matters");
  var total = form.querySelector("[name=matters-TOTAL_FORMS]");

  function chosen() {
    return Array.prototype.map.call(chips.querySelectorAll(".chip"), function (chip) {
      return { id: chip.dataset.id, label: chip.dataset.label };
    });
  }

  // Each matter concerns one of the visited households: keep its choices in step.
  function syncMatterHouseholds() {
    var options = chosen();
    matters.querySelectorAll("select[name$='-household']").forEach(function (select) {
      var keep = select.value;
      select.innerHTML = "";
      select.appendChild(new Option("---------", ""));
      options.forEach(function (o) { select.appendChild(new Option(o.label, o.id)); });
      select.value = options.some(function (o) { return o.id === keep; }) ? keep : (options.length === 1 ? options[0].id : "");
    });
  }

  function addChip(id, label) {
    if (chips.querySelector('.chip[data-id="' + id + '"]')) return;
    var chip = document.createElement("span");
    chip.className = "chip";
    chip.dataset.id = id;
    chip.dataset.label = label;
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "households"; input.value = id;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", "× " + label);
    chip.append(input, label, remove);
    chips.appendChild(chip);
    syncMatterHouseholds();
  }

  function pick(button) {
    addChip(button.dataset.id, button.dataset.label);
    search.value = "";
    results.innerHTML = "";
    search.focus();
  }

  results.addEventListener("click", function (event) {
    var button = event.target.closest(".pick-household");
    if (button) pick(button);
  });
  chips.addEventListener("click", function (event) {
    if (event.target.classList.contains("chip-remove")) {
      event.target.closest(".chip").remove();
      syncMatterHouseholds();
      search.focus();
    }
  });

  // Enter in the search box picks the first match instead of submitting the form;
  // arrow keys walk the matches.
  search.addEventListener("keydown", function (event) {
    var first = results.querySelector(".pick-household");
    if (event.key === "Enter") {
      event.preventDefault();
      if (first) pick(first);
    } else if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      first.focus();
    }
  });
  results.addEventListener("keydown", function (event) {
    var current = event.target.closest(".pick-household");
    if (!current) return;
    var sibling = null;
    if (event.key === "ArrowDown") sibling = current.nextElementSibling;
    if (event.key === "ArrowUp") sibling = current.previousElementSibling || search;
    if (sibling) { event.preventDefault(); sibling.focus(); }
  });
  // A new cadre: show their paired households at once.
  var cadre = document.getElementById("id_cadre");
  if (cadre) cadre.addEventListener("change", function () {
    if (window.htmx) window.htmx.trigger(search, "search");
  });

  document.getElementById("add-matter").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = document.getElementById("matter-template").innerHTML.replace(/__prefix__/g, String(index));
    matters.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    syncMatterHouseholds();
    var row = matters.lastElementChild;
    var description = row.querySelector("textarea[name$='-description']");
    if (description) description.focus();
  });

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      document.getElementById("save-add-another").click();
    }
  });

  window.liaisonAddHousehold = addChip;  // offline.js restores a kept draft's households
  syncMatterHouseholds();
})();
