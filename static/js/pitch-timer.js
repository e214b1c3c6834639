// The live pitch timer on the projector and on judges' tablets. The server
// holds the phase and start time; each screen counts down on its own and asks
// again every few seconds, so a dropped connection only freezes the label.
(function () {
  "use strict";
  var box = document.getElementById("pitch-timer");
  if (!box) { return; }
  var label = box.querySelector(".timer__label"), clock = box.querySelector(".timer__clock"),
      entry = box.querySelector(".timer__entry");
  var state = null, fetchedAt = 0;
  function show() {
    if (!state) { return; }
    label.textContent = label.dataset["phase" + state.phase.charAt(0).toUpperCase() + state.phase.slice(1)] || state.phase;
    entry.textContent = state.entry ? state.entry.code + " · " + state.entry.title : "";
    var remaining = state.remaining;
    if (remaining === null || remaining === undefined) { clock.textContent = "--:--"; return; }
    if (state.phase === "presentation" || state.phase === "questions") {
      remaining -= Math.floor((Date.now() - fetchedAt) / 1000);
    }
    var sign = remaining < 0 ? "-" : "", abs = Math.abs(remaining);
    clock.textContent = sign + Math.floor(abs / 60) + ":" + ("0" + (abs % 60)).slice(-2);
    box.classList.toggle("timer--over", remaining < 0);
    box.classList.toggle("timer--last-minute", remaining >= 0 && remaining <= 60);
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (body) {
      state = body; fetchedAt = Date.now(); show();
    }).catch(function () { /* keep counting from the last answer */ });
  }
  poll();
  setInterval(poll, 5000);
  setInterval(show, 250);
})();
