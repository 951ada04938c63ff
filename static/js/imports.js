// The import page: start a check, confirm an import, and poll the progress every second
// until the job reaches one of the states in data-wait-for; then show the result.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(panel, data) {
    var bar = panel.querySelector("progress");
    var text = panel.querySelector("[data-testid=progress-text]");
    if (data.total) {
      bar.max = data.total;
      bar.value = data.done;
    }
    if (text && data.total) text.textContent = data.done + " / " + data.total;
  }

  function poll(panel) {
    var waitFor = (panel.dataset.waitFor || "").split(" ");
    var busy = false;
    function tick() {
      if (busy) return;
      busy = true;
      // No cookies: the URL carries a signed token (see views/imports.py, import_progress).
      fetch(panel.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "omit"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          busy = false;
          if (!data) return;  // the server is busy writing: try again next second
          show(panel, data);
          if (waitFor.indexOf(data.status) >= 0) {
            clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { busy = false; });
    }
    var timer = setInterval(tick, 1000);
    tick();
    return tick;
  }

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-Requested-With": "fetch", "X-CSRFToken": csrfToken()}})
      .then(function (r) {
        if (!r.ok) window.location.reload();  // refused: the page shows why
        return r.ok;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("import-run");
    if (!panel) return;
    if (!panel.hidden) {
      var tick = poll(panel);
      if (panel.dataset.startUrl) post(panel.dataset.startUrl, new FormData()).then(tick);
    }
    var form = document.querySelector("[data-testid=confirm-form]");
    if (!form) return;
    var only = form.querySelector("input[name=valid_rows_only]");
    var button = form.querySelector("button[type=submit]");
    if (only) only.addEventListener("change", function () { button.disabled = !only.checked; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      panel.hidden = false;
      panel.querySelector("progress").removeAttribute("value");  // indeterminate until the first poll
      panel.querySelector("[data-testid=progress-text]").textContent = "…";
      panel.dataset.waitFor = "done failed";
      form.hidden = true;
      var result = document.querySelector("[data-testid=import-result]");
      if (result) result.hidden = true;
      var tick = poll(panel);
      post(form.action, new FormData(form)).then(tick);
    });
  });
})();
