"""Packaging metadata for skautoal (tool configuration lives in pyproject.toml)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "skautoal" / "_version.py").read_text(), re.M
).group(1)

setup(
    name="skautoal",
    version=VERSION,
    description="Automated active learning (AutoAL) for scikit-learn and skorch",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    packages=find_packages(exclude=["tests", "tests.*"]),
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.24",
        "scipy>=1.10",
        # The parameter-constraint classes (sklearn.utils._param_validation)
        # are private: bounded to the releases tested. _fit_context and
        # _safe_indexing come through sklearn-compat.
        "scikit-learn>=1.6,<1.10",
        "sklearn-compat>=0.1.3",
        "skorch>=1.0",
        "torch>=2.1,<3",
        "tqdm>=4.60",
        "matplotlib>=3.6",
        "mnist1d>=0.0.2",
    ],
    extras_require={
        "dev": [
            "pytest>=7",
            "pytest-xdist>=3",
            "ruff>=0.5",
            "hypothesis>=6",
            "pandas>=1.5",
            "zarr>=2.16",
            "dask[array,distributed]>=2023.1",
            "numpydoc>=1.6",
            "skops>=0.10",
        ],
        "docs": [
            "sphinx>=7",
            "numpydoc>=1.6",
            "sphinx-gallery>=0.15",
            "pydata-sphinx-theme>=0.15",
            "myst-parser>=2",
            "matplotlib>=3.6",
        ],
        "bench": ["scikit-activeml>=1.0"],
        "dask": ["dask[array,distributed]>=2023.1"],
    },
    entry_points={"console_scripts": ["skautoal=skautoal.__main__:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
