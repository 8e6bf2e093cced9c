"""Shared fixtures: a clean environment and a fresh default client for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cio_analytics

_ENV_VARS = ("CUSTOMERIO_API_KEY", "CUSTOMERIO_REGION", "CUSTOMERIO_HOST")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Remove the library's environment variables and reset module settings around each test."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    settings = cio_analytics._api.MODULE_SETTINGS
    saved = {name: getattr(cio_analytics, name, None) for name in settings}
    yield
    cio_analytics.reset()
    for name, value in saved.items():
        cio_analytics.__dict__[name] = value
