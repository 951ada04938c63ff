// Diaries without signal: a form marked data-offline-draft keeps what is typed in this
// browser (localStorage) as the cadre types; submitted without a connection, the entry
// waits in an outbox on the phone and is sent when the connection is back — once: it
// carries the form's submission token, and the server files one diary per token however
// many times it arrives. Every page drains the outbox and lists what is still waiting.
(function () {
  "use strict";
  var OUTBOX = "liaison:outbox";
  var DRAFT = "liaison:draft:";
  var T = window.LIAISON_OFFLINE_TEXT || {};

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function outbox() { return read(OUTBOX, []); }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function entriesOf(form, submitter) {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") entries.push([name, value]);
    });
    if (submitter && submitter.name) entries.push([submitter.name, submitter.value || "1"]);
    return entries;
  }
  function valueOf(entries, name) {
    for (var i = 0; i < entries.length; i++) if (entries[i][0] === name) return entries[i][1];
    return "";
  }
  function labelOf(form, entries) {
    var cadre = form.querySelector("[name=cadre]");
    var name = cadre && cadre.selectedOptions && cadre.selectedOptions[0] ? cadre.selectedOptions[0].text : "";
    var chips = Array.prototype.map.call(form.querySelectorAll(".chip"), function (c) { return c.dataset.label; });
    return [valueOf(entries, "visited_on"), name, chips.join("、")].filter(Boolean).join(" · ");
  }

  // --- The list of what waits, on every page --------------------------------------------
  var lastSent = [];
  function render(message) {
    var box = document.getElementById("offline-outbox");
    if (!box) return;
    if (message) lastSent.push(message);
    message = lastSent.join("<br>");
    var waiting = outbox().filter(function (item) { return item.user === window.LIAISON_USER; });
    var html = "";
    if (message) html += '<p class="msg-success" data-testid="outbox-sent">' + message + "</p>";
    if (waiting.length) {
      html += '<div class="outbox" data-testid="outbox"><strong>' + (T.waiting || "Waiting to be sent") +
        " (" + waiting.length + ")</strong><ul>";
      waiting.forEach(function (item) {
        var when = new Date(item.savedAt);
        html += '<li data-token="' + item.token + '">' + escapeHtml(item.label || "") + ' <span class="muted">' +
          when.toLocaleString("zh-CN") + "</span>" +
          (item.problem ? ' <a href="' + item.url + '?draft=' + encodeURIComponent(item.token) + '" class="bad">' + (T.fix || "Needs attention: open") + "</a>" : "") +
          "</li>";
      });
      html += "</ul><p class=\"muted small\">" + (navigator.onLine ? (T.sending || "Sending…") : (T.offline || "No connection: they will be sent when it is back.")) + "</p></div>";
    }
    box.innerHTML = html;
    box.hidden = !html;
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var sending = false;
  function drain() {
    if (sending || !navigator.onLine) { render(); return; }
    var waiting = outbox().filter(function (item) { return !item.problem && item.user === window.LIAISON_USER; });
    if (!waiting.length) { render(); return; }
    sending = true;
    var item = waiting[0];
    var body = new FormData();
    item.entries.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken") body.append(pair[0], pair[1]);
    });
    body.append("csrfmiddlewaretoken", csrfToken());
    fetch(item.url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (response) {
        var sent = response.ok && response.redirected && response.url.indexOf(item.url) === -1;
        var again = response.ok && response.redirected && response.url.indexOf(item.url) !== -1 && response.url.indexOf("?") !== -1;
        var rest = outbox().filter(function (other) { return other.token !== item.token; });
        if (sent || again) {
          write(OUTBOX, rest);
          localStorage.removeItem(DRAFT + item.token);
          sending = false;
          render((T.sent || "Sent") + ": " + escapeHtml(item.label || ""));
          drain();
        } else if (response.status === 403 || response.status === 401 || (response.redirected && response.url.indexOf("/login/") !== -1)) {
          sending = false;  // signed out: wait for the next signed-in page
          render();
        } else {  // the server refused it (a rule): keep it, open it to fix
          rest.push(Object.assign({}, item, { problem: true }));
          write(OUTBOX, rest);
          sending = false;
          render();
        }
      })
      .catch(function () { sending = false; render(); });
  }

  // --- The diary form -----------------------------------------------------------------
  function restore(form, entries) {
    var byName = {};
    entries.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    var total = parseInt((byName["matters-TOTAL_FORMS"] || ["0"])[0], 10);
    var add = document.getElementById("add-matter");
    var current = form.querySelector("[name=matters-TOTAL_FORMS]");
    while (add && current && parseInt(current.value, 10) < total) add.click();
    Object.keys(byName).forEach(function (name) {
      if (name === "csrfmiddlewaretoken" || name === "households" || name === "save" || name === "add_another") return;
      var fields = form.querySelectorAll('[name="' + name + '"]');
      fields.forEach(function (field, i) {
        var value = byName[name][Math.min(i, byName[name].length - 1)];
        if (field.type === "checkbox") field.checked = true;
        else if (field.type !== "hidden" || name === "submission") field.value = value;
      });
    });
    var labels = byName["_household_labels"] || [];
    (byName.households || []).forEach(function (id, i) {
      if (window.liaisonAddHousehold) window.liaisonAddHousehold(id, labels[i] || id);
    });
  }

  function setUpForm(form) {
    var token = (form.querySelector("[name=submission]") || {}).value || "";
    var url = form.getAttribute("action") || window.location.pathname;
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("draft");
    var saved = wanted ? outbox().filter(function (i) { return i.token === wanted; })[0] : null;
    if (saved) {  // reopened to fix: the entry leaves the outbox and becomes the form again
      restore(form, saved.entries);
      write(OUTBOX, outbox().filter(function (i) { return i.token !== wanted; }));
    } else if (!form.querySelector(".field-error, .errors")) {
      var draft = read(DRAFT + "current", null);
      if (draft && draft.entries && draft.entries.length) {
        var note = document.getElementById("draft-restore");
        if (note) {
          note.hidden = false;
          note.querySelector("button").addEventListener("click", function () {
            restore(form, draft.entries);
            note.hidden = true;
          });
        }
      }
    }
    function keep() {
      var entries = entriesOf(form);
      form.querySelectorAll(".chip").forEach(function (chip) { entries.push(["_household_labels", chip.dataset.label]); });
      write(DRAFT + "current", { entries: entries, savedAt: Date.now(), url: url });
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    new MutationObserver(keep).observe(form, { childList: true, subtree: true });

    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { localStorage.removeItem(DRAFT + "current"); return; }
      event.preventDefault();  // no signal: keep it on the phone, send it later
      var entries = entriesOf(form, event.submitter);
      form.querySelectorAll(".chip").forEach(function (chip) { entries.push(["_household_labels", chip.dataset.label]); });
      var waiting = outbox().filter(function (item) { return item.token !== token; });
      waiting.push({ token: token, url: url, entries: entries, label: labelOf(form, entries), savedAt: Date.now(), user: window.LIAISON_USER });
      if (!write(OUTBOX, waiting)) {
        alert(T.full || "This phone has no room left to keep the diary.");
        return;
      }
      localStorage.removeItem(DRAFT + "current");
      var note = document.getElementById("offline-saved");
      if (note) { note.hidden = false; note.focus(); }
      form.reset();
      form.querySelectorAll(".chip").forEach(function (chip) { chip.remove(); });
      var fresh = form.querySelector("[name=submission]");
      if (fresh) fresh.value = "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
      render();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-offline-draft]");
    if (form) setUpForm(form);
    render();
    drain();
  });
  window.addEventListener("online", drain);
  window.addEventListener("offline", function () { render(); });
  if ("serviceWorker" in navigator && window.LIAISON_SW) {
    navigator.serviceWorker.register(window.LIAISON_SW, { scope: "/" }).catch(function () {});
  }
})();
