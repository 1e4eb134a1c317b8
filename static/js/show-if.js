// Progressive enhancement: hide fields whose condition (data-show-if) is not met.
// Without JavaScript every field shows with a hint, and the server applies the same rule.
// A condition on an answer given on an earlier page is decided by the server, which
// leaves such a field out or renders it without data-show-if; a controlling answer that
// is not in this form never hides a field.
(function () {
  "use strict";
  var dependents = document.querySelectorAll("[data-show-if]");
  if (!dependents.length) { return; }
  var form = dependents[0].form;

  function currentValues(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.selectedOptions, function (o) { values.push(o.value); });
      } else { values.push(input.value); }
    });
    return values;
  }

  function update() {
    var done = {};
    dependents.forEach(function (input) {
      if (done[input.name]) { return; }
      done[input.name] = true;
      var controller = input.getAttribute("data-show-if");
      var wanted = input.getAttribute("data-show-values").split("|");
      var onPage = form.querySelector('[name="' + controller + '"]') !== null;
      var shown = !onPage || currentValues(controller).some(function (v) {
        return wanted.indexOf(v) !== -1;
      });
      var wrapper = input.closest(".field");
      wrapper.hidden = !shown;
    });
  }

  form.addEventListener("change", update);
  update();
})();
