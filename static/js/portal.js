// 電子保証ポータル: small behaviours of the contractors' screens. Loaded from a static file (CSP).
(function () {
  "use strict";

  // The text of a table of label/value rows, one "label：value" line per row, under its title.
  function tableText(table) {
    var lines = [];
    var title = table.getAttribute("data-copy-title");
    if (title) lines.push(title);
    table.querySelectorAll("tr").forEach(function (row) {
      var label = row.querySelector("th");
      var value = row.querySelector("td");
      if (label && value) lines.push(label.textContent.trim() + "：" + value.textContent.trim());
    });
    return lines.join("\n") + "\n";
  }

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden-copy";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyWithSelection(text); });
    }
    return copyWithSelection(text);
  }

  function showStatus(button, message, failed) {
    var status = document.querySelector("[data-copy-status]");
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("failed", !!failed);
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy"));
      if (!source) return;
      copyText(tableText(source)).then(
        function () { showStatus(copy, copy.getAttribute("data-copied-message"), false); },
        function () { showStatus(copy, copy.getAttribute("data-copy-failed-message"), true); }
      );
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var close = event.target.closest("[data-close]");
    if (close && window.opener && !window.opener.closed) {
      // Opened as a separate window: close it; otherwise the link goes back to 保証工事一覧.
      event.preventDefault();
      window.close();
    }
  });
})();
