"""The operations guide (MkDocs under docs/) builds in strict mode and loads nothing from
another host."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a page loads (scripts, images, stylesheets); plain links to other sites are fine.
LOADS = re.compile(
    r'<(?:script|img|iframe)[^>]*\ssrc="(https?:)?//'
    r'|<link[^>]*rel="stylesheet"[^>]*href="(https?:)?//'
)


def test_the_docs_site_builds_strictly_and_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert built.returncode == 0, built.stderr
    pages = list(site.rglob("*.html"))
    folders = {page.parent.relative_to(site).as_posix() for page in pages}
    assert {"deployment", "operations/daily", "operations/backups", "architecture"} <= folders
    for page in pages:
        assert not LOADS.search(page.read_text(encoding="utf-8")), page


def test_the_readme_links_the_deployment_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/deployment.md" in readme
