"""Tests that need something of the machine (a program, a browser): skipped with the reason
where it is absent, failed instead where CI requires it. ``.ci/run`` sets
``SPROCKET_REQUIRE_<NAME>=1`` in the pass that runs such a test, so that a missing program
cannot make that pass green by skipping it."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def unavailable(reason: str, *, required_by: str) -> NoReturn:
    """Skip the test for ``reason`` (a sentence: what is missing and how to get it), or fail
    it when the environment variable ``required_by`` is ``1``."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but {reason}")
    pytest.skip(reason)


def installed(program: str, *, package: str, required_by: str) -> str:
    """The path of ``program`` on ``PATH``; when it is absent, :func:`unavailable` naming
    Debian's ``package``, which ``.ci/run`` installs."""
    found = shutil.which(program)
    if found is None:
        unavailable(
            f"{program} is not installed (Debian's {package} package; .ci/run installs it)",
            required_by=required_by,
        )
    return found
