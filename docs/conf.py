"""Sphinx configuration for skautoal (a skeleton; the docs issue fills it)."""

import skautoal

project = "skautoal"
author = "skautoal developers"
release = skautoal.__version__
version = release
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
