// Print buttons (inline handlers are not allowed by the Content Security Policy).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
