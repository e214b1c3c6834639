// A form marked data-submit-once is sent once: its buttons are disabled as it
// goes, showing the form's data-text-sending if it has one. A double tap on
// "Nộp hồ sơ dự thi" or on a button that queues mail sends one request (the
// server also refuses to do the work twice). A handler that refuses the submit
// before this one (preventDefault) leaves the form ready.
(function () {
  "use strict";

  var once = document.querySelectorAll("form[data-submit-once]");

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type])");
  }

  Array.prototype.forEach.call(once, function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (form.dataset.sending) { event.preventDefault(); return; }
      form.dataset.sending = "1";
      Array.prototype.forEach.call(buttons(form), function (button) {
        button.dataset.text = button.textContent;
        button.disabled = true;
        if (form.dataset.textSending) { button.textContent = form.dataset.textSending; }
      });
    });
  });
  // Back to a page kept in memory after sending: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(once, function (form) {
      delete form.dataset.sending;
      Array.prototype.forEach.call(buttons(form), function (button) {
        button.disabled = false;
        if (button.dataset.text) { button.textContent = button.dataset.text; }
      });
    });
  });
}());
