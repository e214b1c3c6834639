// A form with data-confirm asks before it is sent (removing something, say): the question is
// the attribute's text. Without JavaScript the form is sent at once.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
