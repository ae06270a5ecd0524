/* Interactive figures of d2lopt (docs/_ext/interactive_figures.py).
 * Each div.d2lopt-interactive holds native controls and one <template> per
 * combination of their values (SVG drawn at build time by d2lopt). Moving a
 * control shows the matching SVG; dragging across a figure with data-drag
 * steps that slider. Nothing is computed here. */
(function () {
  "use strict";
  function setUp(root) {
    var view = root.querySelector(".d2lopt-interactive-view");
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-control]"));
    var frames = {};
    root.querySelectorAll("template[data-state]").forEach(function (t) {
      frames[t.getAttribute("data-state")] = t;
    });
    function show() {
      var key = controls.map(function (c) { return c.value; }).join("-");
      var frame = frames[key];
      if (!frame) { return; }
      view.replaceChildren(frame.content.cloneNode(true));
      view.setAttribute("data-state", key);
      controls.forEach(function (c) {
        if (c.type !== "range") { return; }
        var text = JSON.parse(c.getAttribute("data-texts"))[Number(c.value)];
        c.setAttribute("aria-valuetext", text);
        var out = root.querySelector('output[for="' + c.id + '"]');
        if (out) { out.textContent = text; }
      });
    }
    controls.forEach(function (c) {
      c.addEventListener("input", show);
      c.addEventListener("change", show);
    });
    var dragName = root.getAttribute("data-drag");
    var slider = dragName && root.querySelector('input[data-control="' + dragName + '"]');
    if (slider) {
      var startX = null, startValue = 0, stepPx = 12;
      view.style.touchAction = "pan-y";
      view.style.cursor = "grab";
      view.addEventListener("pointerdown", function (e) {
        startX = e.clientX; startValue = Number(slider.value);
        view.setPointerCapture(e.pointerId);
      });
      view.addEventListener("pointermove", function (e) {
        if (startX === null) { return; }
        var n = Number(slider.max) + 1;
        var value = ((startValue + Math.round((e.clientX - startX) / stepPx)) % n + n) % n;
        if (value !== Number(slider.value)) { slider.value = String(value); show(); }
      });
      var end = function () { startX = null; };
      view.addEventListener("pointerup", end);
      view.addEventListener("pointercancel", end);
    }
    root.hidden = false;
    show();
  }
  function init() { document.querySelectorAll(".d2lopt-interactive").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
