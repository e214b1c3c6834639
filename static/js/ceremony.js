// The awards ceremony on the projector: everything is in the page once it has
// loaded, so a dropped network changes nothing. Nothing shows until the
// organizer presses → / PageDown / space (a presentation clicker sends these);
// ← / PageUp goes back one award.
(function () {
  "use strict";
  var stage = document.getElementById("stage");
  var slides = JSON.parse(stage.dataset.slides);
  var hint = document.getElementById("hint"), slide = document.getElementById("slide");
  var fields = {award: "slide-award", board: "slide-board", title: "slide-title", team: "slide-team"};
  var index = -1;
  function show() {
    if (index < 0) { slide.hidden = true; hint.hidden = false; hint.textContent = stage.dataset.startText; return; }
    if (index >= slides.length) { slide.hidden = true; hint.hidden = false; hint.textContent = stage.dataset.endText; return; }
    hint.hidden = true; slide.hidden = false;
    Object.keys(fields).forEach(function (key) { document.getElementById(fields[key]).textContent = slides[index][key] || ""; });
  }
  document.addEventListener("keydown", function (event) {
    if (["ArrowRight", "PageDown", " ", "Enter"].indexOf(event.key) >= 0) { index = Math.min(index + 1, slides.length); }
    else if (["ArrowLeft", "PageUp", "Backspace"].indexOf(event.key) >= 0) { index = Math.max(index - 1, -1); }
    else { return; }
    event.preventDefault();
    show();
  });
  show();
})();
