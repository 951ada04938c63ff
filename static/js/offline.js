// Diaries without signal: a form marked data-offline-draft keeps what is typed in this
// browser (localStorage) as the cadre types; submitted without a connection, the entry
// waits in an outbox on the phone and is sent when the connection is back — once: it
// carries its own submission token (read when it is saved, and a new one is put in the
// form for the next diary), and the server files one diary per token however many times
// it arrives. Any number of entries wait side by side; every page lists them with what is
// in them, to open and change or to delete before they go, drains them one by one, and
// says per entry what became of it (filed, or refused with the server's reason — the
// entry is kept to correct). The draft is what is being typed now: it never carries a
// saved entry's token, and an untouched form leaves no draft.
(function () {
  "use strict";
  var OUTBOX = "liaison:outbox";
  var DRAFT = "liaison:draft:";
  var USED = "liaison:used-tokens";  // tokens of entries saved here: a page the phone kept
  // (the service worker's copy) still carries the token it was served with
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
  function mine() {
    return outbox().filter(function (item) { return item.user === window.LIAISON_USER; });
  }
  function render(message) {
    var box = document.getElementById("offline-outbox");
    if (!box) return;
    if (message) lastSent.push(message);
    message = lastSent.join("<br>");
    var waiting = mine();
    var html = "";
    if (message) html += '<p class="msg-success" data-testid="outbox-sent">' + message + "</p>";
    if (waiting.length) {
      html += '<div class="outbox" data-testid="outbox"><strong>' + (T.waiting || "Waiting to be sent") +
        ' (<span data-testid="outbox-count">' + waiting.length + "</span>)</strong><ul>";
      waiting.forEach(function (item) {
        var when = new Date(item.savedAt);
        html += '<li data-token="' + escapeHtml(item.token) + '" data-testid="outbox-entry">' +
          escapeHtml(item.label || "") +
          (item.summary ? ' <span class="small">' + escapeHtml(item.summary) + "</span>" : "") +
          ' <span class="muted">' + when.toLocaleString("zh-CN") + "</span>" +
          (item.problem ? '<br><span class="bad" data-testid="outbox-refused">' + (T.refused || "Not accepted") +
            (item.reason ? "：" + escapeHtml(item.reason) : "") + "</span>" : "") +
          ' <span class="outbox-actions"><a class="button small" href="' + escapeHtml(item.url) + "?draft=" +
          encodeURIComponent(item.token) + '" data-testid="outbox-edit">' + (T.edit || "Open to change") + "</a> " +
          '<button type="button" class="button small secondary" data-drop="' + escapeHtml(item.token) +
          '" data-testid="outbox-delete">' + (T.remove || "Delete") + "</button></span></li>";
      });
      html += "</ul><p class=\"muted small\">" + (navigator.onLine ? (T.sending || "Sending…") : (T.offline || "No connection: they will be sent when it is back.")) + "</p></div>";
    }
    box.innerHTML = html;
    box.hidden = !html;
    box.querySelectorAll("[data-drop]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm(T.confirmRemove || "Delete this diary from the phone? It has not been sent.")) return;
        var token = button.getAttribute("data-drop");
        write(OUTBOX, outbox().filter(function (item) { return item.token !== token; }));
        render();
      });
    });
  }
  function reasonIn(html) {
    // The refused page's own messages: the form's errors as the server wrote them.
    try {
      var page = new DOMParser().parseFromString(html, "text/html");
      var found = page.querySelectorAll(".errorlist li, .field-error, .errors li, .msg-error");
      var texts = [];
      found.forEach(function (node) {
        var text = (node.textContent || "").trim();
        if (text && texts.indexOf(text) === -1) texts.push(text);
      });
      return texts.slice(0, 4).join("；");
    } catch (e) { return ""; }
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var sending = false;
  function drain() {
    if (sending || !navigator.onLine) { render(); return; }
    var waiting = mine().filter(function (item) { return !item.problem; });
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
        } else {  // the server refused it (a rule): keep it with the reason, to correct
          return response.text().then(function (html) {
            rest.push(Object.assign({}, item, { problem: true, reason: reasonIn(html) }));
            write(OUTBOX, rest);
            sending = false;
            render();
            drain();  // the others still go
          });
        }
      })
      .catch(function () { sending = false; render(); });
  }

  // --- The diary form -----------------------------------------------------------------
  function restore(form, entries, keepToken) {
    var byName = {};
    entries.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    var total = parseInt((byName["matters-TOTAL_FORMS"] || ["0"])[0], 10);
    var add = document.getElementById("add-matter");
    var current = form.querySelector("[name=matters-TOTAL_FORMS]");
    while (add && current && parseInt(current.value, 10) < total) add.click();
    Object.keys(byName).forEach(function (name) {
      if (name === "csrfmiddlewaretoken" || name === "households" || name === "save" || name === "add_another") return;
      if (name === "submission" && !keepToken) return;  // a draft never takes a saved entry's token
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

  var SKIP = { csrfmiddlewaretoken: 1, submission: 1, _household_labels: 1 };
  function typed(form) {
    // What the user typed: the fields that differ from the page as it was served.
    return entriesOf(form).filter(function (pair) {
      return !SKIP[pair[0]] && pair[0].indexOf("_FORMS") === -1;
    }).map(function (pair) { return pair.join("="); }).sort().join("&");
  }
  function summaryOf(form, entries) {
    var total = parseInt(valueOf(entries, "matters-TOTAL_FORMS") || "0", 10), matters = 0;
    for (var i = 0; i < total; i++) if (valueOf(entries, "matters-" + i + "-description")) matters++;
    return matters ? (T.matters || "matters: ") + matters : "";
  }
  function freshToken() {
    return "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function setUpForm(form) {
    var url = form.getAttribute("action") || window.location.pathname;
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("draft");
    var saved = wanted ? outbox().filter(function (i) { return i.token === wanted; })[0] : null;
    var served = form.querySelector("[name=submission]");
    if (!saved && served && read(USED, []).indexOf(served.value) !== -1) served.value = freshToken();
    var pristine = typed(form);
    var mattersBox = document.getElementById("matters");
    var servedMatters = mattersBox ? mattersBox.innerHTML : null;
    var totalField = form.querySelector("[name=matters-TOTAL_FORMS]");
    var servedTotal = totalField ? totalField.value : null;
    if (saved) {  // reopened to change: the same entry (its token), saved again in its place
      restore(form, saved.entries, true);
      var fix = document.getElementById("offline-editing");
      if (fix) fix.hidden = false;
    } else if (!form.querySelector(".field-error, .errors")) {
      var draft = read(DRAFT + "current", null);
      if (draft && draft.entries && draft.entries.length && draft.typed && draft.typed !== pristine) {
        var note = document.getElementById("draft-restore");
        if (note) {
          note.hidden = false;
          note.querySelector("button").addEventListener("click", function () {
            restore(form, draft.entries, false);
            note.hidden = true;
          });
        }
      }
    }
    function keep() {
      var now = typed(form);
      if (now === pristine) { localStorage.removeItem(DRAFT + "current"); return; }
      var entries = entriesOf(form);
      form.querySelectorAll(".chip").forEach(function (chip) { entries.push(["_household_labels", chip.dataset.label]); });
      write(DRAFT + "current", { entries: entries, typed: now, savedAt: Date.now(), url: url });
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    new MutationObserver(keep).observe(form, { childList: true, subtree: true });

    form.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        localStorage.removeItem(DRAFT + "current");
        if (wanted) {  // a reopened entry sent now: the outbox keeps its new version (same
          // token) until the server has it — a second arrival files nothing twice
          var now = entriesOf(form, event.submitter);
          write(OUTBOX, outbox().map(function (item) {
            return item.token === wanted ? Object.assign({}, item, { entries: now, problem: false, reason: "" }) : item;
          }));
        }
        return;
      }
      event.preventDefault();  // no signal: keep it on the phone, send it later
      var field = form.querySelector("[name=submission]");
      if (field && !field.value) field.value = freshToken();
      var token = field ? field.value : freshToken();  // this entry's own token, read now
      var entries = entriesOf(form, event.submitter);
      form.querySelectorAll(".chip").forEach(function (chip) { entries.push(["_household_labels", chip.dataset.label]); });
      // The same token is the same entry (reopened to change); any other entry stays.
      var waiting = outbox().filter(function (item) { return item.token !== token; });
      waiting.push({ token: token, url: url, entries: entries, label: labelOf(form, entries), summary: summaryOf(form, entries), savedAt: Date.now(), user: window.LIAISON_USER });
      if (!write(OUTBOX, waiting)) {
        alert(T.full || "This phone has no room left to keep the diary.");
        return;
      }
      write(USED, read(USED, []).concat([token]).slice(-500));
      var note = document.getElementById("offline-saved");
      if (note) { note.hidden = false; note.focus(); }
      var editing = document.getElementById("offline-editing");
      if (editing) editing.hidden = true;
      form.reset();
      form.querySelectorAll(".chip").forEach(function (chip) { chip.remove(); });
      if (mattersBox) mattersBox.innerHTML = servedMatters;  // the matters added go too
      if (totalField) totalField.value = servedTotal;
      var search = document.getElementById("household-search");  // the next diary's list
      if (search && window.htmx) window.htmx.trigger(search, "search");
      if (field) field.value = freshToken();  // the next diary is a new entry
      if (wanted) window.history.replaceState(null, "", window.location.pathname);
      wanted = null;
      localStorage.removeItem(DRAFT + "current");
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
