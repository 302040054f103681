"""Starting Sprocket prints nothing but its own lines: importing the application (every
``sprocket`` command does) raises no library's warning on a new user's terminal."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_application_prints_no_warning():
    run = subprocess.run(
        [sys.executable, "-c", "import sprocket.app, sprocket.cli"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
