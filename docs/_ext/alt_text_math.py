"""Alt text is read, not typeset.

The gallery's alt texts are the figures' titles, which use Matplotlib's TeX
(``$\\frac{1}{4}x^4$``); a screen reader would spell out the dollars and
backslashes. Math in alt text becomes plain text (``1/4 x^4``, Greek letters as
Unicode). Checked by tests/browser.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

_TEX_WORDS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ",
    "Lambda": "Λ", "Sigma": "Σ", "nabla": "∇", "propto": "∝", "sim": "~", "approx": "≈",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "times": "×",
    "cdot": "·", "infty": "∞", "to": "→", "in": "∈", "pm": "±", "star": "*", "top": "T",
    "ell": "ℓ", "partial": "∂", "sqrt": "√", "prime": "′", "quad": " ", "qquad": " ",
}
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SIZING = re.compile(r"\\(left|right|big|Big|bigg|Bigg|mathrm|mathbf|operatorname|text)\b")
_MATH_SPAN = re.compile(r"\$([^$]*)\$")


def spoken_math(text: str) -> str:
    r"""Text with Matplotlib/TeX math turned into what a screen reader can say.

    >>> spoken_math(r"Double well $\frac{1}{4}x^4 - y^2$ with $\eta = 2/\lambda_{\max}$")
    'Double well 1/4 x^4 - y^2 with η = 2/λ_max'
    """

    def plain(math: str) -> str:
        math = _FRAC.sub(r"\1/\2 ", math)
        math = _SIZING.sub("", math)
        math = re.sub(r"\\[,;:!]", " ", math)
        # Symbols become characters; names (\\cos, \\max) words of their own.
        math = _TEX_COMMAND.sub(lambda m: _TEX_WORDS.get(m.group(1), " " + m.group(1)), math)
        math = math.replace("{", "").replace("}", "")
        math = re.sub(r"([_^])\s+", r"\1", math)
        return re.sub(r"\s+", " ", math).strip()

    text = _MATH_SPAN.sub(lambda m: plain(m.group(1)), text)
    return re.sub(r"\s+", " ", text).strip()


def _speak_alt_math(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # nodes.image, and sphinx-gallery's own image node (``image-sg``, with srcset).
    for image in doctree.findall(lambda node: isinstance(node, nodes.Element) and "alt" in node):
        alt = image.get("alt") or ""
        if "$" in alt:
            image["alt"] = spoken_math(alt)


def setup(app: Sphinx) -> dict[str, Any]:
    # After thumbnail_alt_text (default priority 500) has given the thumbnails their alt text.
    app.connect("doctree-resolved", _speak_alt_math, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
