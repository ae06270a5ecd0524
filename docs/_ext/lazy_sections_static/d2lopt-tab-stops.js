/* Scrollable code blocks, outputs and tables are keyboard focusable (tabindex 0),
 * the others are not (-1): what pydata-sphinx-theme does on "load", by reading the
 * size of every block, which would lay out every section that content-visibility
 * leaves undrawn (docs/_ext/lazy_sections.py takes that call out of the theme).
 * Here a block is checked as soon as it is drawn, the rest while the browser is
 * idle, every one at the first Tab key press (before it moves the focus), and all
 * again after a resize. When all are checked, <html> gets data-tab-stops="checked". */
(function () {
  "use strict";
  var SELECTOR = [
    "pre",
    ".nboutput > .output_area",
    ".cell_output > .output",
    ".jp-RenderedHTMLCommon",
    ".pst-scrollable-table-container",
  ].join(", ");
  var root = document.documentElement;
  var pending = new Set();
  var idle = window.requestIdleCallback || function (work) {
    return setTimeout(function () { work({ timeRemaining: function () { return 8; } }); }, 50);
  };

  function check(el) {
    el.tabIndex = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight ? 0 : -1;
    pending.delete(el);
  }

  function finished() {
    if (pending.size === 0) { root.dataset.tabStops = "checked"; }
  }

  function drain(deadline) {
    pending.forEach(function (el) {
      if (deadline.timeRemaining() > 1) { check(el); }
    });
    if (pending.size) { idle(drain); } else { finished(); }
  }

  function checkAll() {
    pending.forEach(check);
    finished();
  }

  function start() {
    var blocks = document.querySelectorAll(SELECTOR);
    root.dataset.tabStops = "pending";
    pending = new Set(blocks);
    idle(drain);
    return blocks;
  }

  // A block that is drawn (first near the window, or when a solution opens) is
  // laid out already: reading its size costs nothing.
  var drawn = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { check(entry.target); }
    });
    finished();
  });

  var resized = null;
  window.addEventListener("resize", function () {
    clearTimeout(resized);
    resized = setTimeout(start, 300);
  });
  window.addEventListener("keydown", function (event) {
    if (event.key === "Tab" && pending.size) { checkAll(); }
  }, true);
  window.addEventListener("load", function () {
    start().forEach(function (el) { drawn.observe(el); });
  });
})();
