"""Sphinx configuration of the course site, built by tools/build_site.py (make site)."""

from workshop_utils import course

project = "Deep Learning Workshop"
author = "The Deep Learning Workshop authors"
copyright = "the Deep Learning Workshop authors (code MIT, text and figures CC BY 4.0)"
version = release = course.REF

extensions = ["myst_nb"]
nb_execution_mode = "off"  # tools/build_site.py executed the notebooks with the course cache
# The explorers' live widgets need a kernel; the site shows their pictures and frame players
# instead (no widget JavaScript, nothing from a CDN).
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_title = "Deep Learning Workshop"
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_js_files = ["player.js"]
html_copy_source = False
html_show_sourcelink = False
# MathJax 3 (its single-file SVG build, fonts inside: no font files, no CDN), copied by
# tools/build_site.py from the django-static-mathjax package (MathJax 3.2.2's files only).
mathjax_path = "mathjax/tex-svg.js"
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": course.repo_url(),
    "repository_branch": course.REF,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": False,
    # No theme launch buttons: they would link the site's page paths, not notebooks/…; every
    # page carries the course's own launch bar (tools/build_site.py: Colab at course.REF,
    # Binder, the notebook to download).
    "show_toc_level": 2,
}
