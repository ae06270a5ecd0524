"""No fontawesome.js.

The theme loads it (540 kB gzipped) only so that users can add custom icons; its
CSS and web fonts already draw every icon of the site.
``drop_fontawesome_templates/layout.html`` leaves it out. Checked by
tests/browser (page weight).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

TEMPLATES = Path(__file__).parent / "drop_fontawesome_templates"


def _add_templates(app: Sphinx, config: Any) -> None:
    # After the project's own templates, so that docs/_templates/layout.html would win.
    config.templates_path = [*config.templates_path, str(TEMPLATES)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
