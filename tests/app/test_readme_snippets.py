"""The README's test snippets run and type-check, so they cannot rot.

Each fenced Python block after a ``<!-- test-snippet -->`` line in README.md
is part of one test module: this test writes them to a temporary directory,
runs pytest on it (with the library's pytest plugin, as a user's suite would
load it) and ``mypy --strict`` over it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
_SNIPPET = re.compile(r"<!-- test-snippet -->\n```python\n(.*?)```", re.S)


def _snippets() -> str:
    found = _SNIPPET.findall(README.read_text(encoding="utf-8"))
    assert len(found) >= 2, "README.md lost its test snippets"
    return "\n\n".join(found)


@pytest.fixture
def snippet_file(tmp_path: Path) -> Path:
    """The README's snippets as one test module in an empty directory."""
    path = tmp_path / "test_readme_examples.py"
    path.write_text(_snippets(), encoding="utf-8")
    return path


def test_readme_snippets_pass_under_pytest(snippet_file: Path) -> None:
    """Every snippet test passes, with the plugin's fixtures."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(snippet_file)],
        cwd=snippet_file.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tests = len(re.findall(r"^def test_", snippet_file.read_text(encoding="utf-8"), re.M))
    assert tests >= 4
    assert re.search(rf"\b{tests} passed\b", done.stdout), done.stdout


def test_readme_snippets_pass_mypy_strict(snippet_file: Path) -> None:
    """The snippets type-check with mypy --strict (the fixtures and calls are typed)."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet_file)],
        cwd=snippet_file.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
