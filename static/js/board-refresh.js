// The organizer's live board: while a round is open, the progress table is
// fetched again every few seconds and replaced in place (the rest of the page,
// and anything being typed in its forms, stays). A failed fetch just waits for
// the next turn; a hidden tab does not fetch.
(function () {
  "use strict";
  var board = document.getElementById("live-board");
  if (!board || !board.dataset.refreshSeconds) { return; }
  var every = Math.max(5, parseInt(board.dataset.refreshSeconds, 10) || 30) * 1000;
  function refresh() {
    if (document.hidden) { return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-board");
        if (!fresh) { return; }
        var region = board.querySelector("[role=region]"), hadFocus = region && region === document.activeElement;
        var scroll = region ? region.scrollLeft : 0;
        board.innerHTML = fresh.innerHTML;
        region = board.querySelector("[role=region]");
        if (region) { region.scrollLeft = scroll; if (hadFocus) { region.focus(); } }
        var stamp = board.querySelector("[data-board-updated]");
        if (stamp) { stamp.textContent = "(" + new Date().toLocaleTimeString(document.documentElement.lang || "vi", {hour: "2-digit", minute: "2-digit", second: "2-digit"}) + ")"; }
      })
      .catch(function () { /* the next turn tries again */ });
  }
  setInterval(refresh, every);
})();
