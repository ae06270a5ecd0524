"""The structure every section page of the chapter shares (see chapter_pages.py)."""

from __future__ import annotations

import pytest
from chapter_pages import section_pages, structure_problems


def test_there_are_twelve_sections():
    assert [page[:2] for page in section_pages()] == [f"{n:02d}" for n in range(1, 13)]


@pytest.mark.parametrize("page", section_pages())
def test_section_page_structure(page):
    assert structure_problems(page) == []
