"""Fixtures for the example apps: the local server in the environment, and module loading."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from cio_analytics.testing import LocalServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def cio_env(cio_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """Point the library's environment variables at ``cio_server``, as a deployment would."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", str(cio_server.write_key))
    monkeypatch.setenv("CUSTOMERIO_HOST", cio_server.url)
    return cio_server


@pytest.fixture
def load_example(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], ModuleType]:
    """Import ``examples/<folder>/<name>.py`` as the module ``name`` (cached like any import)."""

    def load(folder: str, name: str) -> ModuleType:
        monkeypatch.syspath_prepend(str(EXAMPLES / folder))
        return importlib.import_module(name)

    return load
