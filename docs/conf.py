"""Sphinx configuration for "Optimization for Deep Learning" (the d2lopt site).

Build with ``nox -s docs`` (see the README); it also sets the single-thread
environment the build expects (one thread per process, Matplotlib's ``agg``
backend in the notebook kernels: ``SINGLE_THREAD`` in noxfile.py). Everything
the site needs is served from the site itself: no CDN, no intersphinx, no
network at build time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
import d2lopt  # noqa: E402  (installed by `nox -s docs`)
from d2lopt.chapter.cache import ENV as CACHE_ENV  # noqa: E402

# A section's page and its gallery scripts often run the same experiment: the
# build runs it once and shares the result between the processes that run them
# (d2lopt.chapter.cache; a fresh cache whenever src/d2lopt changes). The examples and
# notebooks the reader downloads run everything themselves.
os.environ.setdefault(CACHE_ENV, str(DOCS / "_build" / ".d2lopt_cache"))

# -- Project -----------------------------------------------------------------

project = "Optimization for Deep Learning"
author = "d2lopt developers"
copyright = "2026, d2lopt developers"
release = d2lopt.__version__
version = ".".join(release.split(".")[:2])

# Read the Docs sets the canonical URL of the version it builds.
SITE_URL = os.environ.get("READTHEDOCS_CANONICAL_URL", "https://d2lopt.github.io/d2lopt/")
REPO_URL = "https://github.com/d2lopt/d2lopt"

# -- General -----------------------------------------------------------------
# Serial build: `-j 2` is no faster here, since Sphinx hands consecutive pages
# (all of chapter/) to one worker, and the gallery scripts already run in two
# processes (sphinx_gallery_conf["parallel"]). (katex_prerender writes serially:
# one KaTeX render server per build, so `-j 2` would also warn.)

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
    # Exercises end every section; their solutions are hidden until opened
    # (a button with aria-expanded, keyboard operable; shown when printed).
    "sphinx_exercise",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    "sphinxext.opengraph",
    "sphinx_sitemap",
    "sitemap_every_page",  # docs/_ext: the sitemap lists every page after a partial rebuild
    # docs/_ext: the math is typeset by KaTeX when the site is built (HTML for the
    # eye, MathML for screen readers); no page loads a math script.
    "katex_prerender",
    # docs/_ext: the docstrings of module-level objects in the API reference.
    "d2lopt_docs",
    # docs/_ext: the API stubs are generated only when their inputs changed.
    "autosummary_stamp",
    # After a change to src/d2lopt, rerun the gallery examples and notebook pages
    # that use it (sphinx-gallery and jupyter-cache only see their own sources).
    "d2lopt_stale",
    # The gallery's examples of all sections in one pool of worker processes
    # (sphinx-gallery's own pool works one section at a time).
    "d2lopt_gallery_pool",
    # A 404 page whose links work from any depth of the hosted site.
    "notfound.extension",
    # Reader-facing fixes of the built pages, one extension per problem
    # (docs/_ext; each is checked by tests/browser):
    "sidebar_toggle_labels",  # the navigation's expand buttons have a name
    "bibliography_list_roles",  # the references are a valid list
    "thumbnail_alt_text",  # gallery thumbnails get their figure's alt text...
    "alt_text_math",  # ...and alt text says math in words, not TeX
    "notfound_page_links",  # the 404 page's links work at any depth
    "notebook_download",  # chapter pages offer their executed notebook (and exercise notebooks)
    "exercise_index",  # exercises numbered NN.k by section; the Exercises page lists them
    "chapter_figure_srcset",  # chapter figures at 2x, with their size, lazy below the first
    "gallery_lazy_images",  # gallery pages: images after the first (row) load lazily
    "gallery_figure_text_check",  # a warning per overlapping, cut-off or small figure text
    "interactive_figures",  # interactive figures: their small script only on pages that have one
    "drop_fontawesome",  # no 540 kB script for icons the CSS already draws
    "icon_font_subset",  # the icon fonts hold only the icons the site shows
    "lean_page_scripts",  # no search index, tab or copy-button script where unused
    "lazy_sections",  # sections far from the window are laid out when the reader nears them
    "png_compression",  # small thumbnails and figures
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes a notebook next to every example page; the pages
    # themselves are the generated .rst files.
    "auto_examples/**/*.ipynb",
    "auto_examples/*.ipynb",
    "**.ipynb",
    # Left by sphinx-gallery builds that wrote computation times (CDN scripts).
    "sg_execution_times.rst",
    "auto_examples/**/sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst",
    "Thumbs.db",
    ".DS_Store",
]
# Markdown is read by myst-nb (plain MyST, or a notebook when the page has the
# ``file_format: mystnb`` header); sphinx-gallery's output is reStructuredText.
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
language = "en"
nitpicky = True  # the build runs with -n anyway; keep `sphinx-build` alone strict too

# Third-party names in signatures, numpydoc "Parameters" types and docstrings.
# With no intersphinx (no network) they cannot resolve; everything of d2lopt
# (CamelCase classes, dotted d2lopt paths) must, so those stay strict.
_THIRD_PARTY = r"(numpy|np|torch|tf|tensorflow|matplotlib|mpl|mpl_toolkits|scipy|sklearn|autograd)"
nitpick_ignore_regex = [
    ("py:.*", _THIRD_PARTY + r"(\..+)?"),
    ("py:class", r"(collections\.abc|typing|types)\..+"),
    # numpydoc type prose: "array_like", "callable", "optional", "(low, high)",
    # "dict of str to Trajectory", "shape (n, d)" ... (lowercase words, phrases).
    ("py:class", r"[a-z_][a-z0-9_]*"),
    ("py:class", r"[A-Z]|\d+"),  # shape symbols: "shape (T, n)", "(n, 2)"
    ("py:class", r".*\s.*"),
    ("py:class", r".*[\"'{}].*"),  # value sets: {"largest", "smallest"}
    ("py:class", r"(ndarray|NDArray|ArrayLike|Array|Tensor|Axes|Axes3D|Figure|Colormap)"),
]

# -- MyST / myst-nb ------------------------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# "cache": a page is executed when its code changes (jupyter-cache keys on the
# code cells), and reused otherwise -- also across full re-reads after a config
# change. The cache lives in docs/_build/.jupyter_cache; the d2lopt_stale
# extension drops the entries that use d2lopt when the library changes.
nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_execution_excludepatterns = ["auto_examples/*", "auto_examples/**/*"]
nb_merge_streams = True
# Never load widget JavaScript from a CDN.
nb_ipywidgets_js = {}

# -- sphinx-gallery --------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../gallery",
    "gallery_dirs": "auto_examples",
    # No "subsection_order": sphinx-gallery's default sorts the folders by name,
    # which puts 01_goals ... 12_practice in chapter order, then nets
    # (tests/build/test_docs_conf.py checks it).
    "within_subsection_order": "FileNameSortKey",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"(__init__|_common|conftest)\.py",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    # sphinx-gallery's Matplotlib scraper, after measuring each figure's text
    # (docs/_ext/gallery_figure_text_check.py: a build warning per problem).
    "image_scrapers": ("gallery_figure_text_check.scraper",),
    "matplotlib_animations": False,
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("d2lopt",),
    "image_srcset": ["2x"],
    "remove_config_comments": True,
    "show_memory": False,
    "download_all_examples": True,
    "show_signature": False,
    "min_reported_time": 1,
    # The timing pages load DataTables/jQuery from a CDN: don't write them (the
    # same summary is printed in the build log).
    "write_computation_times": False,
    # Two worker processes (joblib) run the examples, those of all sections in
    # one pool (d2lopt_gallery_pool); each is single threaded.
    "parallel": 2,
    # Thumbnails at the size the gallery grid shows them (less page weight).
    "thumbnail_size": (320, 224),
    # No optipng here: docs/_ext/png_compression.py re-saves every gallery figure and
    # thumbnail with a 256-colour palette once the build ends, from the pixels alone, so
    # the site's files are the same without it, and `optipng -o2` cost about 1 s per
    # figure (141 of them: 146 s of a cold build's work).
    "compress_images": (),
}

# -- Bibliography --------------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
bibtex_default_style = "plain"

# -- API reference ---------------------------------------------------------------

# Only api.md holds autosummary tables (the stubs it writes are scanned in turn),
# so the other pages are not scanned, and their automodule targets not imported,
# at every build.
autosummary_generate = ["api.md"]
autosummary_imported_members = False
autosummary_ignore_module_all = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autoclass_content = "class"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
# Parameter types stay text ("array_like, shape (n, 2)"): as `:type:` fields Sphinx
# would try to cross-reference every word of them.
napoleon_use_param = False
napoleon_use_keyword = False
napoleon_use_ivar = False  # "Attributes" become targets (:attr:`Trajectory.values`)
napoleon_preprocess_types = False

# -- HTML ------------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = "Optimization for Deep Learning"
html_baseurl = SITE_URL
html_static_path = ["_static"]
html_css_files = ["custom.css", "d2lopt-a11y.css"]
# The theme's mode switch starts from the reader's system setting.
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_show_sourcelink = True
html_copy_source = True
html_theme_options = {
    "repository_url": REPO_URL,
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_source_button": True,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_download_button": True,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    # The sidebar lists the top level and the branch of the current page only:
    # rendering the whole tree (225 API pages) into each of ~300 pages took most
    # of the build's writing time and ~40 kB of every page.
    "collapse_navbar": True,
    "navigation_with_keys": False,
    "launch_buttons": {},
    # Off (the default), so that pages need no search index: lean_page_scripts.
    "search_as_you_type": False,
    # sphinx-book-theme has no top navbar; with pydata-sphinx-theme 0.20 an empty
    # value in its theme.conf falls back to a second search box up there.
    "navbar_start": [],
    "navbar_center": [],
    "navbar_end": [],
    "navbar_persistent": [],
}

# docs/_ext/katex_prerender.py: KaTeX at build time, also for the sidebar's gallery titles.
html_math_renderer = "katex_prerender"

# The solutions' toggle: its text says what opens (the button is a <button> with
# aria-expanded, reached by Tab and opened by Enter or Space).
togglebutton_hint = "Show the solution"
togglebutton_hint_hide = "Hide the solution"
# "Solution to Exercise 4.2 (title)", linking the exercise.
exercise_style = ""

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"

ogp_site_url = SITE_URL
ogp_site_name = "Optimization for Deep Learning"
ogp_image = "_static/d2lopt-og.png"
ogp_image_alt = "Optimization for Deep Learning: the title next to a saddle-shaped surface"
ogp_social_cards = {"enable": False}  # cards are drawn with Matplotlib on every page

# The 404 page is served for any missing path: its links are absolute.
notfound_urls_prefix = urlsplit(SITE_URL).path

sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "genindex.html", "py-modindex.html", "404.html"]

# "more than one target found" for names that Sphinx resolves by suffix (words in
# numpydoc "Attributes" types such as "shape (steps,)"): it links the first
# match. Unresolved references (ref.class, ref.func, ...) still fail the build.
suppress_warnings = ["ref.python"]
