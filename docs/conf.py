"""Sphinx configuration for skautoal. Builds offline: no intersphinx."""

import os
import sys

import skautoal

sys.path.insert(0, os.path.abspath(".."))

project = "skautoal"
author = "skautoal developers"
copyright = "2026, skautoal developers"
release = skautoal.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
autosummary_generate = True
# scikit-learn's generated metadata-routing setters and its inherited docstrings
# reference sklearn's own docs, which an offline build cannot resolve.
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    "exclude-members": (
        "set_fit_request,set_score_request,set_predict_request,"
        "set_predict_proba_request,set_query_request,set_select_request,"
        "get_metadata_routing,score"
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
# A short navbar title: "skautoal 0.1.0.dev0 documentation" overlapped the
# first link at 1280 px.
html_title = "skautoal"
html_theme_options = {
    "navigation_with_keys": False,
    "logo": {"text": "skautoal"},
}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}
