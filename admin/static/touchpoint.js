// The touchpoint page: copy buttons, and placeholders that follow the chosen
// language. Loaded as a file (the admin's CSP allows no inline script).
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP on a remote host has no clipboard API: copy a selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (e) {
        done = false;
      }
      document.body.removeChild(area);
      if (done) resolve();
      else reject(new Error("copy refused"));
    });
  }

  function setUpCopy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    button.addEventListener("click", function () {
      copyText(source.textContent).then(
        function () {
          if (status) status.textContent = "Copied.";
        },
        function () {
          // Leave the text selected so that Ctrl+C / Cmd+C copies it.
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          if (status) status.textContent = "Selected: press Ctrl+C (or Cmd+C) to copy.";
        }
      );
    });
  }

  function setUpLanguage(select) {
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      ["question", "followup_detractor", "followup_passive", "followup_promoter"].forEach(function (name) {
        var field = document.getElementById(name);
        var text = option.getAttribute("data-" + name);
        if (field && text) field.setAttribute("placeholder", text);
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), setUpCopy);
    var language = document.getElementById("language");
    if (language) setUpLanguage(language);
    var errors = document.getElementById("form-errors");
    if (errors) errors.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
