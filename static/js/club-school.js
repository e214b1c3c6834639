// The activity form asks for a school only for a startup club: for any other kind the
// school's field is hidden and disabled (so it is not sent). Without JavaScript the field
// is always there, and the server refuses a school for anything but a club.
(function () {
  "use strict";
  var form = document.querySelector("form[data-club-school]");
  if (!form) { return; }
  var kind = form.elements.kind;
  var school = form.elements.school_id;
  if (!kind || !school) { return; }
  var wrapper = school.closest(".field") || school;
  var show = function () {
    var club = kind.value === form.dataset.clubSchool;
    wrapper.hidden = !club;
    school.disabled = !club;
  };
  kind.addEventListener("change", show);
  // A field the server marked wrong stays in sight until the kind is changed.
  if (school.getAttribute("aria-invalid") !== "true") { show(); }
})();
