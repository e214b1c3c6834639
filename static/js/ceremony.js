// The awards ceremony on the projector: everything is in the page once it has
// loaded, so a dropped network changes nothing. Nothing shows until the
// organizer presses → / PageDown / space (a presentation clicker sends these),
// clicks or taps the screen, or the "Next" button; ← / PageUp and "Back" go
// back one award.
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
  function next() { index = Math.min(index + 1, slides.length); show(); }
  function back() { index = Math.max(index - 1, -1); show(); }
  document.addEventListener("keydown", function (event) {
    // Enter or space on a focused button is that button's click.
    if ((event.key === "Enter" || event.key === " ") && event.target.closest && event.target.closest("button")) { return; }
    if (["ArrowRight", "PageDown", " ", "Enter"].indexOf(event.key) >= 0) { next(); }
    else if (["ArrowLeft", "PageUp", "Backspace"].indexOf(event.key) >= 0) { back(); }
    else { return; }
    event.preventDefault();
  });
  // A click or a tap (a touch screen sends a click) anywhere on the stage goes on.
  stage.addEventListener("click", function (event) {
    if (event.target.closest("button")) { return; }
    next();
  });
  document.getElementById("ceremony-next").addEventListener("click", next);
  document.getElementById("ceremony-back").addEventListener("click", back);
  show();
})();
