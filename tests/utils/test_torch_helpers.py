import numpy as np
import pytest
import torch

from skautoal.utils._torch import all_finite


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_all_finite_finds_one_bad_entry_anywhere(bad, dtype):
    # The check reads only the extremes; NaN and either infinity must still
    # be found wherever they sit, in 1-D and 2-D tensors.
    for shape in [(7,), (3, 5)]:
        for position in range(int(np.prod(shape))):
            t = torch.arange(np.prod(shape), dtype=dtype).reshape(shape)
            t.view(-1)[position] = bad
            assert not all_finite(t)


def test_all_finite_accepts_finite_and_empty_tensors():
    assert all_finite(torch.tensor([-3.0, 0.0, 1e30]))
    assert all_finite(torch.zeros(0))
    assert all_finite(torch.zeros(0, 4))
