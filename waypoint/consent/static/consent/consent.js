// Search-as-you-type over the organisations of the consent form: typing in the box above the list hides the
// organisations whose name does not contain what was typed (the list itself still submits as before).
(function () {
  "use strict";

  function normalise(text) {
    return text.toLocaleLowerCase().replace(/ё/g, "е").trim();
  }

  function connect(box) {
    var list = document.getElementById(box.getAttribute("data-filters"));
    if (!list) {
      return;
    }
    box.addEventListener("input", function () {
      var wanted = normalise(box.value);
      var shown = 0;
      var last = null;
      Array.prototype.forEach.call(list.options, function (option) {
        if (!option.value) {
          return; // "no organisation named" stays
        }
        var match = !wanted || normalise(option.text).indexOf(wanted) !== -1;
        option.hidden = !match;
        if (match) {
          shown += 1;
          last = option;
        }
      });
      if (shown === 1 && wanted) {
        last.selected = true;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filters]"), connect);
  });
})();
