"""Every section page ends with exercises that follow the convention of issue #13.

Per numbered section page: a ``## Exercises`` section after ``## Summary``, at
least four exercises (``:::{exercise}``) of at least three kinds (the one
``:class:`` of an exercise, among derivation, computation, experiment and
folk-claim), labels ``ex-NN-<slug>`` with the page's number, unique on the
site, and one solution per exercise with ``:class: dropdown``; every computed
solution (``{solution-start}``, holding code cells) is run by a test of the
section's test module, which names its label.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from chapter_pages import CHAPTER, ROOT, exercise_labels, page_text, section_pages, solution_code

KINDS = {"derivation", "computation", "experiment", "folk-claim"}
MIN_EXERCISES, MIN_KINDS = 4, 3
_EXERCISE = re.compile(r"^(:{3,})\{exercise\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.M)
_SOLUTION = re.compile(
    r"^(?::{3,}\{solution\}|```\{solution-start\}) ([\w-]+)\n((?::[\w-]+:[^\n]*\n)*)", re.M)


def _options(block: str) -> dict[str, str]:
    return dict(re.findall(r"^:([\w-]+):\s*(.*)$", block, flags=re.M))


def exercise_problems(page: str) -> list[str]:
    """What breaks the exercise convention on ``page`` (empty when nothing does)."""
    text = page_text(page)
    number = page[:2]
    problems = []
    if "\n## Exercises\n" not in text:
        return ["no `## Exercises` section"]
    summary = text.find("\n## Summary\n")
    exercises_at = text.index("\n## Exercises\n")
    if summary < 0 or summary > exercises_at:
        problems.append("`## Exercises` does not follow `## Summary`")
    if re.search(r"^## ", text[exercises_at + 5:], flags=re.M):
        problems.append("`## Exercises` is not the last section")
    kinds = []
    labels = []
    for match in _EXERCISE.finditer(text):
        options = _options(match.group(2))
        label = options.get("label", "")
        labels.append(label)
        kind = options.get("class", "")
        if kind not in KINDS:
            problems.append(f"exercise {label or '(no label)'}: class {kind!r} is not one of "
                            f"{sorted(KINDS)}")
        kinds.append(kind)
        if not re.fullmatch(rf"ex-{number}-[a-z0-9]+(?:-[a-z0-9]+)*", label):
            problems.append(f"exercise label {label!r} is not ex-{number}-<slug>")
    if labels != exercise_labels(page):
        problems.append("exercises not in the `:::{exercise}` form with :label: first")
    if len(labels) < MIN_EXERCISES:
        problems.append(f"{len(labels)} exercises, at least {MIN_EXERCISES} wanted")
    if len(set(kinds) & KINDS) < MIN_KINDS:
        problems.append(f"kinds {sorted(set(kinds))}: at least {MIN_KINDS} different ones wanted")
    duplicates = [label for label, count in Counter(labels).items() if count > 1]
    if duplicates:
        problems.append(f"duplicate labels {duplicates}")
    solutions = Counter()
    for match in _SOLUTION.finditer(text):
        solutions[match.group(1)] += 1
        if _options(match.group(2)).get("class") != "dropdown":
            problems.append(f"the solution of {match.group(1)} is not `:class: dropdown`")
    for label in labels:
        if solutions[label] != 1:
            problems.append(f"{label}: {solutions[label]} solutions, one wanted")
    for label in solutions:
        if label not in labels:
            problems.append(f"a solution of {label}, which is no exercise of the page")
    tests = sorted((ROOT / "tests" / "chapter").glob(f"test_{page.removesuffix('.md')}*.py"))
    test_text = "\n".join(path.read_text(encoding="utf-8") for path in tests)
    for label, code in solution_code(page).items():
        if not code.strip():
            problems.append(f"{label}: a gated solution without a code cell")
        if not re.search(rf"""run_solution\([^)]*["']{re.escape(label)}["']""", test_text):
            problems.append(f"{label}: computed, but no test of tests/chapter/test_"
                            f"{page.removesuffix('.md')}.py runs it (run_solution(..., {label!r}))")
    return problems


@pytest.mark.parametrize("page", section_pages())
def test_section_page_ends_with_exercises(page: str) -> None:
    problems = exercise_problems(page)
    assert not problems, f"{page}:\n" + "\n".join(problems)


def test_exercise_labels_are_unique_on_the_site() -> None:
    labels = [label for page in section_pages() for label in exercise_labels(page)]
    labels += re.findall(r":label: (ex-[\w-]+)", "".join(
        p.read_text(encoding="utf-8") for p in CHAPTER.glob("*.md")
        if not re.match(r"\d\d_", p.name)))
    duplicates = [label for label, count in Counter(labels).items() if count > 1]
    assert not duplicates, duplicates


def test_the_checks_catch_a_broken_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page with too few exercises, a wrong label, a second class and an untested computation."""
    import chapter_pages

    broken = """# 9. X\n\n## Summary\n\nWords.\n\n## Exercises\n
:::{exercise} One
:label: ex-08-one
:class: derivation

Text.
:::

:::{solution} ex-08-one

No dropdown.
:::

:::{exercise} Two
:label: ex-09-two
:class: computation

Text.
:::

```{solution-start} ex-09-two
:class: dropdown
```
```{code-cell} python
x = 1
```
```{solution-end}
```
"""
    monkeypatch.setattr(chapter_pages, "page_text", lambda page: broken)
    monkeypatch.setitem(globals(), "page_text", lambda page: broken)
    problems = "\n".join(exercise_problems("99_nowhere.md"))
    for expected in ("2 exercises, at least 4", "kinds ['computation', 'derivation']",
                     "'ex-08-one' is not ex-99-<slug>", "ex-08-one is not `:class: dropdown`",
                     "ex-09-two: computed, but no test"):
        assert expected in problems, problems
