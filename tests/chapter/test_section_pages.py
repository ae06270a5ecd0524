"""What every section page of the chapter must satisfy (helpers in chapter_pages.py).

For each of the twelve pages:

- its structure (front matter, title, synced framework tabs that differ only by
  their import line, hidden glue cells, summary, gallery figures);
- its framework tabs, run once per installed framework, print the same thing
  (numbers to the precision they are printed with);
- every value its hidden cells glue renders as the page's ``{glue:text}`` role
  asks: a Python number, bool or string (no array, no tensor), through the same
  text/plain formatting that myst-nb applies.

What each page's numbers mean is checked in its own tests/chapter/test_NN_*.py.
"""

from __future__ import annotations

import math
import numbers
import re

import pytest
from chapter_pages import page_glue, page_text, section_pages, snippet_outputs, structure_problems

TITLES = {
    "01_goals.md": "1. Two goals: optimization and generalization",
    "02_erm.md": "2. Empirical risk minimization and surrogate losses",
    "03_minibatches.md": "3. Minibatches",
    "04_ill_conditioning.md": "4. Ill-conditioning",
    "05_local_minima.md": "5. Local minima",
    "06_saddle_points.md": "6. Critical points, saddle points and the Hessian",
    "07_newton.md": "7. Newton's method and saddle points",
    "08_cliffs.md": "8. Cliffs and exploding gradients",
    "09_long_term.md": "9. Long-term dependencies",
    "10_vanishing.md": "10. Vanishing gradients",
    "11_local_global.md": "11. Poor correspondence between local and global structure",
    "12_practice.md": "12. What works in practice",
    "13_real_networks.md": "13. The landscape of real networks",
}
PAGES = list(TITLES)

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ROLE = re.compile(r"\{glue:text\}`([A-Za-z0-9_]+)(?::([^`]*))?`")


def test_every_section_page_is_listed():
    assert section_pages() == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_section_page_structure(page):
    assert structure_problems(page, TITLES[page]) == []


# -- (a) the framework tabs print the same thing -----------------------------------------


def last_digit(token: str) -> float:
    """One unit in the last printed digit of a decimal token (``"1.25e-03"`` -> ``1e-05``).

    Zero for an integer token: counts must agree exactly.
    """
    if not re.search(r"[.eE]", token):
        return 0.0
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def output_differences(reference: str, other: str) -> list[str]:
    """How ``other`` differs from ``reference``, numbers compared to their printed precision."""
    if _NUMBER.sub("#", reference) != _NUMBER.sub("#", other):
        return [f"different text: {reference!r} vs {other!r}"]
    problems = []
    for a, b in zip(_NUMBER.findall(reference), _NUMBER.findall(other), strict=True):
        x, y = float(a), float(b)
        # rounding at the last printed digit may differ by one unit; tiny residuals
        # (derivatives at a minimum, ~1e-13) are noise of the framework's arithmetic
        tolerance = max(last_digit(a), last_digit(b), 1e-9 * max(1.0, abs(x), abs(y)))
        if not math.isclose(x, y, rel_tol=0.0, abs_tol=tolerance * 1.0000001):
            problems.append(f"{a} vs {b}")
    return problems


@pytest.mark.parametrize("reference,other,same", [
    ("x = 0.123456", "x = 0.123457", True),
    ("x = 0.123456", "x = 0.123458", False),
    ("[ 2.0000e-01  1.0000e+00]", "[ 2.0001e-01  1.0000e+00]", True),
    ("[ 2.0000e-01  1.0000e+00]", "[ 2.0003e-01  1.0000e+00]", False),
    ("residual 1.1e-13", "residual 3.4e-13", True),
    ("44", "45", False),
    ("n = 100", "n = 100", True),
    ("downhill is left", "downhill is right", False),
    ("True", "True", True),
])
def test_output_comparison(reference, other, same):
    assert (output_differences(reference, other) == []) is same


@pytest.mark.parametrize("page", PAGES)
def test_framework_tabs_print_the_same(page):
    outputs = snippet_outputs(page)
    assert outputs["numpy"], f"the NumPy tab of {page} prints nothing"
    for framework, out in outputs.items():
        assert output_differences(outputs["numpy"], out) == [], (page, framework)


# -- (b) the glued values render as their roles ask ---------------------------------------


def plain_text(value: object) -> str:
    """The text/plain representation that ``myst_nb.glue`` stores for ``value``."""
    from IPython.core.formatters import format_display_data

    return format_display_data(value)[0]["text/plain"]


def rendering_problem(name: str, value: object, spec: str) -> str | None:
    """Why ``{glue:text}`name:spec``` would not show ``value`` as intended (None if it would)."""
    from myst_nb.core.variables import format_plain_text

    if not isinstance(value, numbers.Real | str):  # bool, int, float, NumPy scalars, str
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        return f"{name} is a {kind}, not a real number or a string"
    try:
        shown = format_plain_text(plain_text(value), spec or "s")
    except (TypeError, ValueError) as error:
        return f"{name} = {value!r} cannot be formatted with {spec!r}: {error}"
    expected = format(value, spec) if spec else str(value)
    if shown != expected:
        return f"{name} = {value!r} shows as {shown!r}, not {expected!r}"
    return None


@pytest.mark.parametrize("value,spec,ok", [
    (0.25, ".3f", True), (3, ",", True), (True, "", True), ("left", "", True),
    (2.0e-9, ".1e", True), (12, "d", True),
])
def test_rendering_accepts_plain_values(value, spec, ok):
    assert (rendering_problem("v", value, spec) is None) is ok


def test_rendering_rejects_arrays_and_numpy_scalars_whose_text_is_not_a_literal():
    np = pytest.importorskip("numpy")
    assert "not a real number" in rendering_problem("v", np.array([1.0, 2.0]), ".3f")
    scalar = np.float64(0.5)
    if plain_text(scalar) != "0.5":  # NumPy 2 shows np.float64(0.5): myst-nb cannot format it
        assert rendering_problem("v", scalar, ".3f") is not None


def test_rendering_rejects_a_tensor():
    torch = pytest.importorskip("torch")
    assert "not a real number" in rendering_problem("v", torch.tensor(0.5), ".3f")


@pytest.mark.parametrize("page", PAGES)
def test_every_glued_value_renders_as_its_role_asks(page):
    glued = page_glue(page)
    roles = _ROLE.findall(page_text(page))
    assert roles, f"{page} pastes no glued value"
    missing = sorted({name for name, _ in roles} - set(glued))
    assert missing == [], f"{page}: referenced but not glued: {missing}"
    problems = [rendering_problem(name, glued[name], spec) for name, spec in roles]
    assert [p for p in problems if p] == []
    # values glued but not pasted must still be plain (another page may paste them)
    problems = [rendering_problem(name, value, "") for name, value in glued.items()]
    assert [p for p in problems if p] == []
