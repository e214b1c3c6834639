// The entry page's upload form (its forms are sent once: submit-once.js)
// checks a file's size and type before sending it, from the limits the page
// carries (accept=, data-max-bytes on the file input, one set per kind of
// document); the server checks again, by content.
(function () {
  "use strict";

  var upload = document.getElementById("upload");
  if (!upload) { return; }
  var kind = upload.querySelector("select[name=kind]");
  var input = upload.querySelector("input[type=file]");
  var problem = document.getElementById("upload-check");
  var lang = document.documentElement.lang || "vi";

  function limits() {
    var option = kind.options[kind.selectedIndex];
    return {
      accept: option.dataset.accept,
      maxBytes: parseInt(option.dataset.maxBytes, 10),
      maxMb: option.dataset.maxMb,
      types: option.dataset.types
    };
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function accepted(file, accept) {
    var name = file.name.toLowerCase();
    return accept.split(",").some(function (item) {
      item = item.trim().toLowerCase();
      return item.charAt(0) === "." ? name.slice(-item.length) === item : file.type === item;
    });
  }

  function fileProblem() {
    var file = input.files && input.files[0];
    if (!file) { return ""; }
    var limit = limits();
    if (!accepted(file, limit.accept)) {
      var dot = file.name.lastIndexOf(".");
      var type = dot > 0 ? file.name.slice(dot + 1).toUpperCase() : upload.dataset.textUnknown;
      return fill(upload.dataset.textWrongType, {type: type, types: limit.types});
    }
    if (file.size > limit.maxBytes) {
      var size = Math.ceil(file.size / 1048576 * 10) / 10;
      return fill(upload.dataset.textTooLarge, {
        size: size.toLocaleString(lang, {maximumFractionDigits: 1}),
        max: limit.maxMb
      });
    }
    return "";
  }

  function show(message) {
    problem.textContent = message;
    problem.hidden = !message;
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "upload-check");
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", input.id + "-hint");
    }
  }

  function useKind() {
    var limit = limits();
    input.accept = limit.accept;
    input.dataset.maxBytes = String(limit.maxBytes);
    show(fileProblem());
  }

  kind.addEventListener("change", useKind);
  input.addEventListener("change", function () { show(fileProblem()); });
  // Before submit-once.js's handler (capture): a refused file leaves the form ready.
  upload.addEventListener("submit", function (event) {
    var message = fileProblem();
    if (!message) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    show(message);
    input.focus();
  }, true);
}());
