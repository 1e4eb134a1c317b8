// The ticket page's print button: shown only where JavaScript can print.
(function () {
  "use strict";
  var button = document.getElementById("print-ticket");
  if (!button || !window.print) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
