"""Interactive figures: their script and styles only on the pages that have one; frames apart.

A chapter page's hidden code cell displays the HTML of
:func:`d2lopt.plot.interactive.interactive_html` (a ``div.d2lopt-interactive``
with its controls and one prerendered SVG per setting of them, each in a
``<template data-state>``). This extension

- copies ``d2lopt-interactive.js`` (a few kB: it swaps the SVG when a control
  moves; no plotting library runs in the browser) and its CSS into ``_static``,
  and adds them to a page only when its body holds such a figure (no CDN);
- moves every frame but the one shown first out of the page into a script of
  their own, ``_static/d2lopt-frames/<page>--<figure>.js``, named by the
  figure's ``data-frames``. The page stays light: the four figures' frames are
  0.3 to 1.9 MB of SVG text, which the browser would parse on every visit.
  ``d2lopt-interactive.js`` loads the frames when the reader reaches for the
  figure (a pointer over it, a control focused), not with the page. It loads
  a script, not ``fetch``, so that a site opened from disk (``file://``) works
  too.

Checked by tests/build/test_interactive_figures.py and tests/browser/test_interactive.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "interactive_figures_static"
MARKER = 'class="d2lopt-interactive"'
FRAMES_DIR = "d2lopt-frames"
#: The opening tag of a figure, with its id and the state shown first.
_FIGURE = re.compile(r'<div class="d2lopt-interactive" id="([a-z][a-z0-9-]*)" '
                     r'data-initial="([0-9-]+)"')
_TEMPLATE = re.compile(r'<template data-state="([0-9-]+)">(.*?)</template>', re.S)


def split_frames(body: str) -> tuple[str, dict[str, dict[str, str]]]:
    """``body`` with each figure's frames but its first taken out, and those frames.

    Returns the new body and ``{figure id: {state: svg}}``. Each figure keeps the
    ``<template>`` of its ``data-initial`` state, so it shows at once.

    >>> body = ('<div class="d2lopt-interactive" id="f" data-initial="1" hidden>'
    ...         '<template data-state="0"><svg>a</svg></template>'
    ...         '<template data-state="1"><svg>b</svg></template></div>')
    >>> new, frames = split_frames(body)
    >>> new.count("<template"), frames
    (1, {'f': {'0': '<svg>a</svg>'}})
    """
    starts = [(m.start(), m.group(1), m.group(2)) for m in _FIGURE.finditer(body)]
    if body.count(MARKER) != len(starts):
        raise ValueError("an interactive figure's opening tag is not the one "
                         "d2lopt.plot.interactive.interactive_html writes")
    frames: dict[str, dict[str, str]] = {}
    pieces, at = [], 0
    for i, (start, name, initial) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        pieces.append(body[at:start])
        figure = body[start:end]
        moved = {m.group(1): m.group(2) for m in _TEMPLATE.finditer(figure)
                 if m.group(1) != initial}
        if name in frames:
            raise ValueError(f"two interactive figures on one page have the id {name!r}")
        frames[name] = moved
        pieces.append(_TEMPLATE.sub(
            lambda m, keep=initial: m.group(0) if m.group(1) == keep else "", figure))
        at = end
    pieces.append(body[at:])
    return "".join(pieces), frames


def frames_script(name: str, frames: dict[str, str]) -> str:
    """The script that hands ``frames`` of figure ``name`` to ``d2lopt-interactive.js``.

    >>> frames_script("f", {"0": "<svg>é</svg>"})
    'd2loptFrames("f", {"0": "<svg>\\\\u00e9</svg>"});\\n'
    """
    return f"d2loptFrames({json.dumps(name)}, {json.dumps(frames, ensure_ascii=True)});\n"


def _add_static(app: Sphinx, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: Any) -> None:
    body = context.get("body", "")
    if MARKER not in body:
        return
    app.add_css_file("d2lopt-interactive.css")
    app.add_js_file("d2lopt-interactive.js", loading_method="defer")
    body, frames = split_frames(body)
    folder = Path(app.outdir) / "_static" / FRAMES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, moved in frames.items():
        if not moved:
            continue
        file = f"{pagename.replace('/', '--')}--{name}.js"
        (folder / file).write_text(frames_script(name, moved), encoding="ascii")
        url = context["pathto"](f"_static/{FRAMES_DIR}/{file}", 1)
        tag = f'{MARKER} id="{name}" '
        body = body.replace(tag, f'{tag}data-frames="{url}" ', 1)
    context["body"] = body


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_static)
    app.connect("html-page-context", _page_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
