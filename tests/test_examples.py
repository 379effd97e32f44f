"""Every example in examples/ runs (as a smoke test)."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("plot_*.py"))


# The examples also run in the docs build (sphinx-gallery), so they are the
# slow tier here.
@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path):
    pytest.importorskip("matplotlib").use("Agg")
    runpy.run_path(str(path), run_name="__main__")


def test_quickstart_command(capsys):
    from skautoal.__main__ import main

    assert main(["quickstart", "--n-queries", "5"]) == 0
    out = capsys.readouterr().out
    for name in ("MarginSampling", "CoreSet", "BADGE", "BALD"):
        assert name in out
