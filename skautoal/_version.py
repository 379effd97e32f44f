"""The version of skautoal, defined here once and read by setup.py."""

__version__ = "0.1.0.dev0"
