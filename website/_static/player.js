// Frame players of the course site: each range input swaps pre-rendered pictures of an
// explorer (drawn by its own code, one control moved at a time) and their description.
// No dependencies, no network: the frames sit next to the page.
(function () {
  "use strict";
  function setup(fig) {
    var data = JSON.parse(fig.querySelector("script.wu-player-data").textContent);
    var img = fig.querySelector("img.wu-player-img");
    var text = fig.querySelector(".wu-player-text");
    var inputs = Array.prototype.slice.call(fig.querySelectorAll("input[type=range]"));
    function show(control, index) {
      var frame = control.frames[index];
      img.src = data.base + frame.src;
      img.alt = frame.alt;
      // the caption with its sub/superscripts: HTML written by tools/build_site.py from the
      // explorer's caption (only <sub>, <sup>, <b>, <i> kept, its text escaped)
      if (frame.html) { text.innerHTML = frame.html; } else { text.textContent = frame.text; }
    }
    inputs.forEach(function (input, k) {
      var control = data.controls[k];
      var out = fig.querySelector('output[for="' + input.id + '"]');
      input.addEventListener("input", function () {
        var i = parseInt(input.value, 10);
        inputs.forEach(function (other, j) {  // one control moves alone: the others go back to their defaults
          if (j === k) { return; }
          var c = data.controls[j];
          other.value = String(c.default);
          other.setAttribute("aria-valuetext", c.labels[c.default]);
          var o = fig.querySelector('output[for="' + other.id + '"]');
          if (o) { o.textContent = c.labels[c.default]; }
        });
        input.setAttribute("aria-valuetext", control.labels[i]);
        if (out) { out.textContent = control.labels[i]; }
        show(control, i);
      });
    });
    fig.setAttribute("data-wu-ready", "1");
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-wu-player]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
