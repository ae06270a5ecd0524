"""The structure every section page of the chapter shares (see chapter_pages.py)."""

from __future__ import annotations

import pytest
from chapter_pages import section_pages, structure_problems

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
}


def test_every_section_page_is_listed():
    assert section_pages() == list(TITLES)


@pytest.mark.parametrize("page", list(TITLES))
def test_section_page_structure(page):
    assert structure_problems(page, TITLES[page]) == []
