// Certificate batches: follow their progress until they are done.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), function (row) {
    var bar = row.querySelector("progress"), text = row.querySelector(".batch__text");
    function poll() {
      fetch(row.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (b) {
        bar.max = b.total || 1; bar.value = b.done; text.textContent = b.done + "/" + b.total;
        if (b.status === "queued" || b.status === "running") { setTimeout(poll, 1000); }
        else if (b.status === "done" && !row.querySelector("a")) { window.location.reload(); }
      }).catch(function () { setTimeout(poll, 3000); });
    }
    if (Number(bar.value) < Number(bar.max) || !row.querySelector("a")) { poll(); }
  });
})();
