// A header checkbox that ticks (or unticks) every checkbox of its form with the
// name given in data-tick-all. Without JavaScript each box is ticked by hand.
(function () {
  "use strict";
  document.querySelectorAll("input[data-tick-all]").forEach(function (all) {
    var boxes = function () { return all.form.querySelectorAll("input[type=checkbox][name='" + all.dataset.tickAll + "']"); };
    var follow = function () { boxes().forEach(function (box) { box.checked = all.checked; }); };
    all.addEventListener("change", follow);
    // Ticked while the page was still loading (before this script ran): it still counts.
    if (all.checked) { follow(); }
  });
})();
