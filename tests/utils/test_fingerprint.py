"""A run's fingerprint is the same in every process."""

import os
import subprocess
import sys

SCRIPT = """
import hashlib, json
from skautoal.baselines import StrategyQuerier
from skautoal.models import default_net
from skautoal.strategies import MarginSampling
from skautoal.utils._fingerprint import run_fingerprint
net = default_net("mlp", (64,), 10, random_state=0, device="cpu")
querier = StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0)
fingerprint = run_fingerprint(querier, random_state=0, data={}, settings={})
print(hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest())
"""


def test_fingerprint_does_not_depend_on_string_hashing():
    # skorch nets carry sets of parameter names, whose order follows
    # PYTHONHASHSEED; a checkpoint written by one process must match the
    # next one's (it did not, and resuming a skorch run was refused).
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_sets_are_written_in_a_fixed_order():
    from skautoal.utils._fingerprint import stable_repr

    assert stable_repr({"b", "a", "c"}) == "{'a', 'b', 'c'}"
    assert stable_repr(frozenset()) == "{}"
