"""docs/_ext/katex_prerender.py: math typeset at build time, with MathML, and only the fonts used.

A tiny project: one page with inline, display, numbered and bold math; one with a
formula KaTeX cannot read (a build warning at its line, an error with ``-W``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinxcontrib.katex")

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from katex_prerender import ASSETS, lean_stylesheet, node_binary, used_faces  # noqa: E402

CONF = f"""\
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["katex_prerender"]
html_math_renderer = "katex_prerender"
html_theme = "basic"
"""

GOOD = r"""
Good
====

Inline :math:`\tfrac{1}{2}\operatorname{tr} H` and bold :math:`\mathbf{x}`.

.. math::
   :label: update

   \boldsymbol{\theta}_{t+1} = \boldsymbol{\theta}_t - \eta \nabla f(\boldsymbol{\theta}_t)
"""

BAD = r"""
Bad
===

Broken :math:`\frac{1}{`.
"""


def _build(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *options, "-b", "html", str(root), str(root / "_build")],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        node_binary()
    except RuntimeError as error:
        pytest.skip(str(error))
    root = tmp_path_factory.mktemp("katex")
    (root / "conf.py").write_text(CONF)
    (root / "index.rst").write_text(GOOD)
    result = _build(root, "-W")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "_build"


def test_formulas_are_html_and_mathml_in_the_page(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    assert html.count('<span class="katex-mathml"><math') == 3
    assert '<annotation encoding="application/x-tex">\\tfrac{1}{2}' in html
    assert 'class="katex-display"' in html and 'class="eqno">(1)' in html
    assert '<mi mathvariant="bold-italic">θ</mi>' in html  # \boldsymbol, as MathML says it
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert not [s for s in scripts if re.search("katex|mathjax", s, re.I)], scripts
    assert "_static/katex/katex.css" in html


def test_only_the_used_fonts_are_served_as_woff2(built: Path) -> None:
    folder = built / "_static" / "katex"
    css = (folder / "katex.css").read_text(encoding="utf-8")
    named = set(re.findall(r"url\(([^)]+)\)", css))
    served = {p.relative_to(folder).as_posix() for p in (folder / "fonts").iterdir()}
    assert named == served
    # Main (text and digits), Math italic (H, eta), Main bold (\mathbf), Math bold italic.
    assert served == {
        "fonts/KaTeX_Main-Regular.woff2",
        "fonts/KaTeX_Math-Italic.woff2",
        "fonts/KaTeX_Main-Bold.woff2",
        "fonts/KaTeX_Math-BoldItalic.woff2",
    }
    assert len(list((ASSETS / "fonts").glob("*.woff2"))) == 20  # of KaTeX's twenty


def test_a_formula_katex_cannot_read_is_a_warning_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text(CONF)
    (tmp_path / "index.rst").write_text(BAD)
    result = _build(tmp_path, "-W")
    assert result.returncode != 0
    warning = r"index\.rst:\d+: WARNING: KaTeX cannot typeset '\\\\frac\{1\}\{'"
    assert re.search(warning, result.stderr), result.stderr


def test_used_faces_follow_the_classes_of_the_pages() -> None:
    css = (ASSETS / "katex.min.css").read_text(encoding="utf-8")
    assert used_faces(css, {"katex"}) == {("KaTeX_Main", 400, "normal")}
    faces = used_faces(css, {"katex", "delimsizing", "size2", "mathbb"})
    assert faces == {("KaTeX_Main", 400, "normal"), ("KaTeX_Size2", 400, "normal"),
                     ("KaTeX_AMS", 400, "normal")}
    lean, files = lean_stylesheet(css, faces)
    assert sorted(files) == ["fonts/KaTeX_AMS-Regular.woff2", "fonts/KaTeX_Main-Regular.woff2",
                             "fonts/KaTeX_Size2-Regular.woff2"]
    assert lean.count("@font-face") == 3 and ".woff)" not in lean and ".ttf" not in lean
    assert lean.count("{") == css.count("{") - 17  # only @font-face rules were dropped


def test_a_server_whose_connection_was_refused_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a busy machine the first connection can be refused: that server must not outlive it.

    A process left running would keep the build's standard error open, so that
    whoever reads it (nox, a test) waits forever after the build has exited.
    """
    import socket

    import katex_prerender
    from sphinxcontrib import katex

    try:
        node_binary()
    except RuntimeError as error:
        pytest.skip(str(error))
    monkeypatch.setattr(katex, "Popen", katex.Popen)  # restored after the test
    monkeypatch.setattr(katex.KaTeXServer, "katex_server", None)
    katex_prerender._start(None)
    refused = []

    class RefusingOnce(socket.socket):
        def connect(self, address):
            if not refused:
                refused.append(address)
                raise ConnectionRefusedError("refused, as on a busy machine")
            return super().connect(address)

    monkeypatch.setattr(katex.socket, "socket", RefusingOnce)
    html = katex_prerender._katex.__wrapped__(r"\eta", False)
    assert 'class="katex"' in html
    server = katex.KaTeXServer.katex_server
    try:
        assert refused and len(katex_prerender._SERVERS) == 1
        assert katex_prerender._SERVERS[0][0] is server.process
        # The first process was stopped and its folder removed.
        first_folder = Path(str(refused[0])).parent
        assert not first_folder.exists()
    finally:  # its atexit hook removes the folder when the tests end
        katex.KaTeXServer.katex_server = None
        server.process.kill()
        server.process.wait()
        katex_prerender._SERVERS.clear()
