"""numpydoc validation of every object in the API reference (docs/api.rst)
and of the public methods its classes define, as imbalanced-learn does."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

API = Path(__file__).resolve().parents[1] / "docs" / "api.rst"

# Checks left out, with the reason:
IGNORED = {
    "GL01",  # summary may start on the opening line
    "GL02",  # closing quotes may follow text
    "GL08",  # inherited methods need no docstring of their own
    "ES01",  # an extended summary is optional
    "SA01",  # a "See Also" section is optional
    "EX01",  # examples: classes and functions have them; methods need not
    "SS03",  # summaries may end in a code span or a closing parenthesis
    "SS05",  # summaries may start "The ..." rather than an infinitive verb
    "SS06",  # summaries may take two lines
    "RT02",  # a named return value is clearer than a bare type
    "RT05",  # return descriptions may end in a code span
    "PR09",  # parameter descriptions may end in a code span
    "PR02",  # properties documented as attributes
    "YD01",  # no generators in the API
}


def _api_objects():
    module, names = None, []
    for line in API.read_text().splitlines():
        match = re.match(r"\.\. currentmodule:: (\S+)", line)
        if match:
            module = match.group(1)
        elif module and re.match(r"   [A-Za-z_]\w*$", line):
            names.append(f"{module}.{line.strip()}")
    return names


def _with_methods(names):
    out = []
    for name in names:
        module, _, attr = name.rpartition(".")
        obj = getattr(importlib.import_module(module), attr)
        out.append(name)
        if inspect.isclass(obj):
            for key, value in vars(obj).items():
                if not key.startswith("_") and inspect.isfunction(value):
                    out.append(f"{name}.{key}")
    return out


NAMES = _with_methods(_api_objects())


def test_the_api_page_lists_objects():
    assert len(NAMES) > 50
    assert "skautoal.AutoALQuerier" in NAMES
    assert "skautoal.loop.ActiveLearner.teach" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_docstring(name):
    result = numpydoc_validate.validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)
