/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  // Check a client's phone number as soon as the worker leaves the field.
  function phoneCheck(input) {
    var form = input.form;
    var status = document.getElementById(input.getAttribute("data-phone-status"));
    var url = input.getAttribute("data-phone-check");
    if (!form || !status || !url) { return; }
    var last = null;
    input.addEventListener("blur", function () {
      var value = input.value.trim();
      if (value === last) { return; }
      last = value;
      if (!value) { status.textContent = ""; status.className = "phone-status"; return; }
      var body = new FormData();
      body.append("phone", value);
      fetch(url, {method: "POST", body: body, credentials: "same-origin",
                  headers: {"X-CSRFToken": csrfToken(form), "Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          status.textContent = data.message;
          status.className = "phone-status " + (data.ok ? (data.landline ? "notice" : "notice notice--ok") : "field-error");
        })
        .catch(function () { /* the check on saving still runs */ });
    });
  }

  // The checks on a text a worker writes, while typing: segments, the character that
  // forces UCS-2, a link refused. The server computes them (the same rules as on
  // sending); this only shows its answer.
  function textCheck(area) {
    var form = area.form;
    var out = document.getElementById(area.getAttribute("data-check-output"));
    var url = area.getAttribute("data-text-check");
    if (!form || !out || !url) { return; }
    var timer = null, last = null;
    function line(cls, part, text) {
      var p = document.createElement("p");
      p.className = cls;
      p.setAttribute("data-part", part);
      p.textContent = text;
      return p;
    }
    function ask() {
      if (area.value === last) { return; }
      last = area.value;
      var body = new FormData();
      body.append("body", area.value);
      fetch(url, {method: "POST", body: body, credentials: "same-origin",
                  headers: {"X-CSRFToken": csrfToken(form), "Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          out.textContent = "";
          out.appendChild(line("hint", "count", data.count));
          if (data.warning) { out.appendChild(line("notice", "warning", data.warning)); }
          if (data.error) { out.appendChild(line("field-error", "error", data.error)); }
        })
        .catch(function () { /* the server checks again on sending */ });
    }
    area.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(ask, 250);
    });
    if (area.value) { ask(); }
  }

  // Error summaries take focus so keyboard and screen-reader users hear them first.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  // On a phone the menu folds behind its button; without this script it stays open.
  var PHONE = "(max-width: 40rem)";
  function foldMenu() {
    var menu = document.getElementById("site-menu");
    if (!menu || !window.matchMedia) { return; }
    var query = window.matchMedia(PHONE);
    menu.open = !query.matches;
    query.addEventListener("change", function (e) { menu.open = !e.matches; });
  }

  // Tables become lists on a phone (CSS); each cell is headed by its column's name.
  function stackTables() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"),
                                           function (th) { return th.textContent.trim(); });
      if (!heads.length) { return; }
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (cell.tagName === "TD" && heads[i] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    foldMenu();
    stackTables();
    Array.prototype.forEach.call(document.querySelectorAll("[data-phone-check]"), phoneCheck);
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-check]"), textCheck);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.hidden = false;  // printing needs the script; Ctrl+P works without it
      b.addEventListener("click", function () { window.print(); });
    });
    focusErrors();
  });
}());
