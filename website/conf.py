"""Sphinx configuration of the course site (built by tools/build_site.py; see README, "The course as a website")."""

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
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_js_files = ["player.js"]
html_copy_source = False
html_show_sourcelink = False
# MathJax 2, vendored from the jupyter-server-mathjax package into _static/mathjax: no CDN.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]], "processEscapes": True},
    "HTML-CSS": {"availableFonts": ["TeX"], "imageFont": None},
    "menuSettings": {"zoom": "None"},
    "showMathMenu": False,
    "messageStyle": "none",
}
html_theme_options = {
    "repository_url": course.repo_url(),
    "repository_branch": course.REF,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": False,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
}
