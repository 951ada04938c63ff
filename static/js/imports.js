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

  // Poll every second while something moves; when nothing changes (a queue waiting for
  // Redis, a long check), wait longer each time, up to 15 s, so idle pages cost nothing.
  function poll(panel) {
    var waitFor = (panel.dataset.waitFor || "").split(" ");
    var busy = false, delay = 1000, last = "", timer = null;
    var queued = panel.querySelector("[data-testid=queued]");
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(tick, delay);
    }
    function tick() {
      if (busy) return;
      busy = true;
      // No cookies: the URL carries a signed token (see views/imports.py, import_progress).
      fetch(panel.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "omit"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          busy = false;
          if (!data) { delay = Math.min(delay * 2, 15000); schedule(); return; }
          show(panel, data);
          if (queued) queued.hidden = !data.queued;
          if (waitFor.indexOf(data.status) >= 0 && !data.queued) {
            window.location.reload();
            return;
          }
          var now = data.status + ":" + data.done + ":" + data.queued;
          delay = now === last ? Math.min(delay * 1.5, 15000) : 1000;
          last = now;
          schedule();
        })
        .catch(function () { busy = false; delay = Math.min(delay * 2, 15000); schedule(); });
    }
    tick();
    return function () { delay = 1000; tick(); };
  }

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-Requested-With": "fetch", "X-CSRFToken": csrfToken()}})
      .then(function (r) {
        // Refused (already running, a stale page): reload once to show why; never a loop,
        // since a reloaded page only starts a job that is still waiting to be started.
        if (!r.ok && r.status !== 503) window.location.reload();
        return r.ok;
      })
      .catch(function () { return false; });
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
