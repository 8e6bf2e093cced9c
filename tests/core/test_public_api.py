"""The public surface: exports, docstrings, signatures compatible with the official library."""

from __future__ import annotations

import inspect

import pytest

import cio_analytics
from cio_analytics import Client

# customerio-cdp-analytics 1.1.0 positional order (cio_api.md section 5.2).
OFFICIAL_SIGNATURES = {
    "identify": [
        "user_id", "traits", "context", "timestamp", "anonymous_id", "integrations", "message_id",
    ],
    "track": [
        "user_id", "event", "properties", "context", "timestamp", "anonymous_id", "integrations",
        "message_id",
    ],
    "alias": ["previous_id", "user_id", "context", "timestamp", "integrations", "message_id"],
    "group": [
        "user_id", "group_id", "traits", "context", "timestamp", "anonymous_id", "integrations",
        "message_id",
    ],
    "page": [
        "user_id", "category", "name", "properties", "context", "timestamp", "anonymous_id",
        "integrations", "message_id",
    ],
    "screen": [
        "user_id", "category", "name", "properties", "context", "timestamp", "anonymous_id",
        "integrations", "message_id",
    ],
}  # fmt: skip


def _positional(func: object) -> list[str]:
    params = inspect.signature(func).parameters.values()  # type: ignore[arg-type]
    return [
        p.name
        for p in params
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name != "self"
    ]


class TestExports:
    """What the package exports."""

    def test_all_is_sorted_and_importable(self) -> None:
        """__all__ is sorted and every name in it exists."""
        names = [n for n in cio_analytics.__all__ if n != "__version__"]
        # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then the rest.
        def order(name: str) -> tuple[bool, bool, str]:
            return (not name.isupper(), not name[:1].isupper(), name)

        assert names == sorted(names, key=order)
        for name in cio_analytics.__all__:
            assert hasattr(cio_analytics, name), name

    def test_public_callables_have_docstrings(self) -> None:
        """Every exported function and class documents itself."""
        for name in cio_analytics.__all__:
            obj = getattr(cio_analytics, name)
            if callable(obj):
                assert inspect.getdoc(obj), name

    def test_py_typed_ships(self) -> None:
        """The package carries the py.typed marker."""
        from importlib.resources import files

        assert files("cio_analytics").joinpath("py.typed").is_file()


class TestCompatibility:
    """Replacing `from customerio import analytics` needs no other edit."""

    @pytest.mark.parametrize("name", sorted(OFFICIAL_SIGNATURES))
    def test_positional_order(self, name: str) -> None:
        """Module functions and Client methods keep the official positional order."""
        assert _positional(getattr(cio_analytics, name)) == OFFICIAL_SIGNATURES[name]
        assert _positional(getattr(Client, name)) == OFFICIAL_SIGNATURES[name]

    def test_client_constructor_order(self) -> None:
        """Client's leading positional parameters match the official Client."""
        assert _positional(Client)[:14] == [
            "write_key", "host", "debug", "max_queue_size", "send", "on_error", "gzip",
            "max_retries", "sync_mode", "timeout", "proxies", "thread", "upload_size",
            "upload_interval",
        ]  # fmt: skip

    def test_calls_return_the_message_id(self) -> None:
        """Each call returns the message id string."""
        client = Client(send=False)
        message_id = client.track("u1", "E", message_id="my-id")
        assert message_id == "my-id"


#: Public subpackages that appear on the package once something imports them.
_LAZY_SUBMODULES = {"cli", "testing", "integrations"}


class TestSurface:
    """The package namespace is exactly what it declares, both ways."""

    def test_all_is_exactly_the_public_names(self) -> None:
        """Every public name on the package is in __all__ or is a module setting, and back."""
        import cio_analytics._api as api

        # (pytest's assertion rewriting adds names such as "@py_builtins": not identifiers)
        exposed = {n for n in vars(cio_analytics) if n.isidentifier() and not n.startswith("_")}
        # The package's module class provides default_client as a property.
        exposed |= {n for n in vars(type(cio_analytics)) if not n.startswith("_")}
        settings = set(api.MODULE_SETTINGS)
        declared = set(cio_analytics.__all__) - {"__version__"}
        assert exposed - settings - _LAZY_SUBMODULES == declared
        assert settings <= exposed  # every setting is readable at module level
        assert not declared & settings

    def test_no_helper_imports_leak(self) -> None:
        """Modules and typing names the package uses internally are not public names."""
        for leaked in ("sys", "types", "typing", "Any", "Callable", "Mapping", "annotations"):
            assert leaked not in vars(cio_analytics), leaked

    def test_public_functions_say_they_are_cio_analytics(self) -> None:
        """Forwarded operations carry their real signature (no self) and docstring."""
        params = list(inspect.signature(cio_analytics.add_device).parameters)
        assert params[:3] == ["user_id", "token", "device_type"]
        assert inspect.getdoc(cio_analytics.add_device) == inspect.getdoc(Client.add_device)
        assert list(inspect.signature(cio_analytics.send_batch).parameters)[0] == "messages"


class TestDebugSetting:
    """debug=True changes the library's logger; debug=False takes the change back."""

    def test_configure_debug_off_restores_the_logger(self) -> None:
        """Level and handler return to what they were before debug was turned on."""
        import logging

        std = logging.getLogger("cio_analytics")
        root_handlers = logging.getLogger().handlers[:]
        logging.getLogger().handlers.clear()  # so the library adds its own stderr handler
        try:
            level, handlers = std.level, std.handlers[:]
            cio_analytics.configure(send=False, debug=True)
            cio_analytics.track("u", "E")  # builds the default client
            assert std.level == logging.DEBUG
            assert len(std.handlers) == len(handlers) + 1
            cio_analytics.configure(debug=False)
            assert std.level == level
            assert std.handlers == handlers
        finally:
            logging.getLogger().handlers[:] = root_handlers

    def test_a_client_with_debug_off_does_not_undo_another_clients_debug(self) -> None:
        """Debug is counted per client: one client's default does not switch it off."""
        import logging

        std = logging.getLogger("cio_analytics")
        level = std.level
        verbose = Client(send=False, debug=True)
        Client(send=False)  # debug=False: no effect on the shared logger
        assert std.level == logging.DEBUG
        verbose.configure(debug=False)
        assert std.level == level
