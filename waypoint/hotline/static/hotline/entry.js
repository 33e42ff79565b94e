/* The consultation form, made for a live call and the keyboard alone.
 *
 * - the first field is focused when the form opens (the first wrong one after a refused save);
 * - digits 1-9 pick an option in a group of choices, and tick topics;
 * - topics: type to filter, Enter ticks the first match, ↓ walks the list, Space ticks;
 * - "Russian national" is one key; another country is typed (ISO code or name);
 * - the call timer fills the duration until the operator types one; Alt+R restarts it;
 * - Alt+T goes to the topics, Alt+O to the outcome;
 * - Enter (Ctrl+Enter anywhere, even in the answer) saves and opens a fresh form for the next call.
 * Without this script the form still works: every control is a plain, labelled input.
 */
(function () {
  "use strict";

  var form = document.getElementById("call-form");
  if (!form) {
    return;
  }
  var DIGIT = /^[1-9]$/;

  function plainKey(event) {
    return !event.altKey && !event.ctrlKey && !event.metaKey;
  }

  function fold(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").trim();
  }

  function changed(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // --- Groups of choices: a digit picks the nth option ------------------------------------------
  Array.prototype.forEach.call(form.querySelectorAll("[data-keyed]"), function (group) {
    group.addEventListener("keydown", function (event) {
      if (!plainKey(event) || !DIGIT.test(event.key)) {
        return;
      }
      var input = group.querySelectorAll("input[type=radio]")[Number(event.key) - 1];
      if (!input) {
        return;
      }
      event.preventDefault();
      input.checked = true;
      input.focus();
      changed(input);
    });
  });

  // --- Topics: type to filter ------------------------------------------------------------------
  var filter = document.getElementById("topic-filter");
  var list = document.getElementById("topic-list");
  var topicStatus = document.getElementById("topic-status");
  if (filter && list) {
    filter.closest(".topic-filter-row").hidden = false;
    var labels = Array.prototype.slice.call(list.querySelectorAll("label"));
    labels.forEach(function (label) {
      label.querySelector("input").tabIndex = -1; // one Tab stop for the topics: the filter
    });

    var visible = function () {
      return labels.filter(function (label) { return !label.classList.contains("filtered-out"); });
    };
    var nameOf = function (label) {
      return label.textContent.replace(/^\s*\d?\s*/, "").trim();
    };
    var render = function () {
      var query = fold(filter.value);
      labels.forEach(function (label) {
        var text = fold(nameOf(label));
        var words = text.split(/[\s,().'-]+/);
        var match = !query || text.indexOf(query) === 0 || words.some(function (w) { return w.indexOf(query) === 0; });
        label.classList.toggle("filtered-out", !match);
      });
      var shown = visible();
      labels.forEach(function (label) {
        var key = label.querySelector(".key");
        var index = shown.indexOf(label);
        key.textContent = index >= 0 && index < 9 ? String(index + 1) : "";
        label.classList.toggle("first-match", Boolean(query) && index === 0);
      });
      if (query && topicStatus) {
        topicStatus.textContent = shown.length ? shown.map(nameOf).join(", ") : topicStatus.dataset.none;
      }
    };
    var toggle = function (label) {
      var input = label.querySelector("input");
      input.checked = !input.checked;
      changed(input);
      if (topicStatus) {
        topicStatus.textContent = nameOf(label) + ": " + (input.checked ? topicStatus.dataset.ticked : topicStatus.dataset.unticked);
      }
    };

    filter.addEventListener("input", render);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && plainKey(event)) {
        if (!filter.value.trim()) {
          return; // nothing typed: Enter saves, as everywhere in the form
        }
        event.preventDefault();
        var first = visible()[0];
        if (first) {
          toggle(first);
          filter.value = "";
          render();
        }
      } else if (DIGIT.test(event.key) && plainKey(event)) {
        event.preventDefault();
        var picked = visible()[Number(event.key) - 1];
        if (picked) {
          toggle(picked);
        }
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        var top = visible()[0];
        if (top) {
          top.querySelector("input").focus();
        }
      } else if (event.key === "Escape" && filter.value) {
        event.preventDefault();
        filter.value = "";
        render();
      }
    });
    list.addEventListener("keydown", function (event) {
      var input = event.target;
      if (input.type !== "checkbox") {
        return;
      }
      var shown = visible();
      var index = shown.indexOf(input.closest("label"));
      if (event.key === "ArrowDown" || event.key === "ArrowRight") {
        event.preventDefault();
        shown[Math.min(index + 1, shown.length - 1)].querySelector("input").focus();
      } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
        event.preventDefault();
        (index <= 0 ? filter : shown[index - 1].querySelector("input")).focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        filter.focus();
      } else if (DIGIT.test(event.key) && plainKey(event)) {
        event.preventDefault();
        var picked = shown[Number(event.key) - 1];
        if (picked) {
          toggle(picked);
        }
      }
    });
    render();
  }

  // --- Nationality: "Russian national" is one key, another country is typed ----------------------
  var country = document.getElementById("id_country");
  var countryMatch = document.getElementById("country-match");
  var nationalities = form.querySelectorAll("input[name=nationality]");
  if (country && nationalities.length) {
    var other = form.querySelector("input[name=nationality][value=other]");
    var chosen = form.querySelector("input[name=nationality]:checked");
    if (country.value.trim() && (!chosen || chosen.value === "")) {
      other.checked = true; // a country typed before a refused save stays meant
    }
    var syncCountry = function (moveFocus) {
      var isOther = other.checked;
      country.disabled = !isOther;
      if (isOther && moveFocus) {
        country.focus();
      }
    };
    Array.prototype.forEach.call(nationalities, function (radio) {
      radio.addEventListener("change", function () { syncCountry(true); });
    });
    syncCountry(false);

    var options = Array.prototype.map.call(document.querySelectorAll("#country-list option"), function (o) { return o.value; });
    var codeOf = function (value) {
      var match = /\(([A-Z]{2})\)\s*$/.exec(value);
      return match ? match[1].toLowerCase() : "";
    };
    country.addEventListener("input", function () {
      var query = fold(country.value);
      if (!countryMatch) {
        return;
      }
      if (!query) {
        countryMatch.textContent = "";
        return;
      }
      var found = options.filter(function (v) { return codeOf(v) === query || fold(v) === query; });
      if (!found.length) {
        found = options.filter(function (v) { return fold(v).indexOf(query) === 0; });
      }
      if (!found.length) {
        found = options.filter(function (v) {
          return fold(v).split(/[\s,()-]+/).some(function (w) { return w.indexOf(query) === 0; });
        });
      }
      countryMatch.textContent = found.length === 1 ? "→ " + found[0] : "";
    });
  }

  // --- Call-back: its fields show when it is needed ----------------------------------------------
  var callBack = document.getElementById("id_needs_call_back");
  var followUpFields = document.getElementById("follow-up-fields");
  if (callBack && followUpFields) {
    var syncCallBack = function () { followUpFields.hidden = !callBack.checked; };
    callBack.addEventListener("change", syncCallBack);
    Array.prototype.forEach.call(form.querySelectorAll("input[name=outcome]"), function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked && radio.value === "call_back" && !callBack.checked) {
          callBack.checked = true;
          syncCallBack();
        }
      });
    });
    syncCallBack();
  }

  // --- The call timer ---------------------------------------------------------------------------
  var timer = document.getElementById("call-timer");
  var started = document.getElementById("id_started_at");
  var duration = document.getElementById("id_duration_minutes");
  var restartButton = document.getElementById("restart-timer");
  var timerStatus = document.getElementById("timer-status");
  var IDLE_MS = 2 * 60 * 1000;
  var tick = function () {};
  var restart = null;
  if (timer && started && duration && form.dataset.now) {
    // Times are the site's wall clock, read as if they were UTC so that the browser's own zone plays no part.
    var naive = function (text) {
      var m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text || "");
      return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) : NaN;
    };
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var formatNaive = function (ms) {
      var d = new Date(ms);
      return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) + "T" +
        two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
    };
    var loadedAt = Date.now();
    var serverNow = naive(form.dataset.now);
    var fresh = form.dataset.fresh === "1";
    var from = loadedAt;
    var durationTyped = !fresh; // after a refused save, the duration sent is kept
    var startEdited = false;
    if (!fresh && !isNaN(naive(started.value))) {
      from = loadedAt + (naive(started.value) - serverNow);
    }
    tick = function () {
      var elapsed = Math.max(0, Date.now() - from);
      var seconds = Math.floor(elapsed / 1000);
      var hours = Math.floor(seconds / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      timer.textContent = (hours ? hours + ":" + two(minutes) : String(minutes)) + ":" + two(seconds % 60);
      if (!durationTyped) {
        duration.value = String(Math.min(600, Math.ceil(elapsed / 60000)));
      }
    };
    restart = function (message) {
      from = Date.now();
      started.value = formatNaive(serverNow + (from - loadedAt));
      durationTyped = false;
      startEdited = false;
      tick();
      if (timerStatus && message) {
        timerStatus.textContent = message;
      }
    };
    duration.addEventListener("input", function () { durationTyped = true; });
    started.addEventListener("change", function () {
      var value = naive(started.value);
      if (!isNaN(value)) {
        from = loadedAt + (value - serverNow);
        startEdited = true;
        tick();
      }
    });
    if (restartButton) {
      restartButton.addEventListener("click", function () { restart(restartButton.dataset.done); });
    }
    if (fresh) {
      // A form that waited for the next call starts timing when the operator starts typing.
      var firstKey = function () {
        form.removeEventListener("keydown", firstKey, true);
        if (Date.now() - loadedAt > IDLE_MS && !startEdited) {
          restart(restartButton ? restartButton.dataset.auto : "");
        }
      };
      form.addEventListener("keydown", firstKey, true);
    }
    tick();
    var interval = window.setInterval(tick, 1000);
    form.addEventListener("submit", function () {
      tick();
      window.clearInterval(interval);
    });
  }

  // --- Keys for the whole form ------------------------------------------------------------------
  var saveButton = document.getElementById("save-next") || form.querySelector("button[type=submit]");
  var save = function () {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(saveButton);
    } else {
      saveButton.click();
    }
  };
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.code === "KeyR" && restart) {
      event.preventDefault();
      restart(restartButton ? restartButton.dataset.done : "");
    } else if (event.code === "KeyT" && filter) {
      event.preventDefault();
      filter.focus();
    } else if (event.code === "KeyO") {
      var outcome = form.querySelector("input[name=outcome]:checked") || form.querySelector("input[name=outcome]");
      if (outcome) {
        event.preventDefault();
        outcome.focus();
      }
    }
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      save();
      return;
    }
    var choice = target.tagName === "INPUT" && (target.type === "radio" || target.type === "checkbox");
    if (choice || target.tagName === "SELECT") {
      event.preventDefault(); // Enter saves here too, as it does in a text field
      save();
    }
  });
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) {
      event.preventDefault(); // a second Enter while the first save is on its way
      return;
    }
    form.dataset.sending = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.sending; });

  // --- Focus: the first field, or the first one to correct --------------------------------------
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.focus();
      }
    });
  }
  var wrong = form.querySelector(".has-error input:not([type=hidden]):not(:disabled), .has-error select, .has-error textarea");
  if (wrong) {
    var checkedInGroup = wrong.type === "radio" && wrong.closest("fieldset").querySelector("input:checked");
    (checkedInGroup || wrong).focus();
  } else if (!form.dataset.editing) {
    var first = form.querySelector(".first-field");
    var firstInput = first && (first.querySelector("input:checked") || first.querySelector("input"));
    if (firstInput) {
      firstInput.focus();
    }
  }
})();
