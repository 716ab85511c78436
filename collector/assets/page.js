/* Anbefal survey link page: store the score once a person acts on the page.
 *
 * Mail scanners load every link of a mail, some in a headless browser that
 * runs this script, so loading the page sends nothing. Only an input event
 * the browser marks as trusted (a pointer press or real pointer movement, a
 * touch, a key, a mouse wheel) sends the chosen score. The scroll event is
 * not used: it also fires when a script scrolls the page. The form works
 * without this script; it only saves earlier and keeps the follow-up
 * question in step with the chosen score.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-anbefal-survey]");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var label = document.getElementById("comment-label");
  var status = form.querySelector(".status");
  var acted = false;
  var saved = null;
  var events = ["pointerdown", "pointermove", "touchstart", "keydown", "wheel"];

  function chosen() {
    var input = form.querySelector("input[name=score]:checked");
    return input ? input.value : null;
  }

  // One post at a time, so a later score can never be overtaken by an
  // earlier one on its way to the server.
  var sending = false;

  function save() {
    var score = chosen();
    if (!acted || score === null || score === saved || sending) return;
    sending = true;
    var body = new URLSearchParams();
    body.set("save", "score");
    body.set("score", score);
    body.set("form_token", form.elements.form_token.value);
    body.set("anbefal_hp", form.elements.anbefal_hp.value);
    fetch(form.action, { method: "POST", body: body, credentials: "omit" })
      .then(function (response) {
        if (response.ok) {
          saved = score;
          if (status) status.textContent = status.getAttribute("data-saved");
        }
      })
      .catch(function () {
        // Nothing to do: the Send button still posts the whole form.
      })
      .then(function () {
        sending = false;
        if (saved === score) save(); // the score changed while this one was on its way
      });
  }

  function onAct(event) {
    if (!event.isTrusted) return;
    // Chromium sends pointer moves without movement when the page changes
    // under a resting pointer; only a pointer that moves is a person.
    if (event.type === "pointermove" && !event.movementX && !event.movementY) return;
    acted = true;
    events.forEach(function (type) {
      document.removeEventListener(type, onAct, true);
    });
    // After the event has done what it does (a key or a tap may choose another score).
    setTimeout(save, 0);
  }

  events.forEach(function (type) {
    document.addEventListener(type, onAct, { capture: true, passive: true });
  });

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name !== "score") return;
    var text = label.getAttribute("data-" + input.getAttribute("data-category"));
    if (text) label.textContent = text;
    save();
  });
})();
