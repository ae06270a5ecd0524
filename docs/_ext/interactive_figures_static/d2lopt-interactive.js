/* Interactive figures of d2lopt (docs/_ext/interactive_figures.py).
 * Each div.d2lopt-interactive holds native controls and the <template> of the
 * frame shown first (SVG drawn at build time by d2lopt). The other frames are
 * in the script named by data-frames, loaded when the reader reaches for the
 * figure (a pointer over it, a control focused); it calls
 * d2loptFrames(id, {state: svg}).
 * Moving a control shows the matching SVG; dragging across a figure with
 * data-drag steps that slider. Nothing is computed here. */
(function () {
  "use strict";
  var figures = {};
  window.d2loptFrames = function (name, states) {
    var figure = figures[name];
    if (figure) { figure.receive(states); }
  };
  function setUp(root) {
    var view = root.querySelector(".d2lopt-interactive-view");
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-control]"));
    var frames = {};
    var shown = null;
    root.querySelectorAll("template[data-state]").forEach(function (t) {
      frames[t.getAttribute("data-state")] = t;
    });
    var source = root.getAttribute("data-frames");
    var requested = !source;
    function load() {
      if (requested) { return; }
      requested = true;
      var script = document.createElement("script");
      script.src = source;
      script.onerror = function () { root.setAttribute("data-frames-error", source); };
      document.head.appendChild(script);
    }
    function show() {
      var key = controls.map(function (c) { return c.value; }).join("-");
      controls.forEach(function (c) {
        if (c.type !== "range") { return; }
        var text = JSON.parse(c.getAttribute("data-texts"))[Number(c.value)];
        c.setAttribute("aria-valuetext", text);
        var out = root.querySelector('output[for="' + c.id + '"]');
        if (out) { out.textContent = text; }
      });
      var frame = frames[key];
      if (!frame) { view.setAttribute("aria-busy", "true"); load(); return; }
      if (key === shown) { return; }
      if (typeof frame === "string") { view.innerHTML = frame; }
      else { view.replaceChildren(frame.content.cloneNode(true)); }
      view.setAttribute("data-state", key);
      view.removeAttribute("aria-busy");
      shown = key;
    }
    figures[root.id] = {
      receive: function (states) {
        Object.keys(states).forEach(function (k) { frames[k] = states[k]; });
        root.setAttribute("data-frames-loaded", "");
        show();
      }
    };
    controls.forEach(function (c) {
      c.addEventListener("input", show);
      c.addEventListener("change", show);
      c.addEventListener("focus", load);
    });
    root.addEventListener("pointerenter", load);
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
