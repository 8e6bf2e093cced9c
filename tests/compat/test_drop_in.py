"""Drop-in for customerio-cdp-analytics: the settings around the calls (issue 18).

Each point runs the same user code through the module-level API and through a
``Client``, against the local server on 127.0.0.1. Where the official library
is the reference, the test says what it does, and checks it when that can be
done without a network (it is installed by the ``reference`` extra).
"""

from __future__ import annotations

import dataclasses
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests.utils

import cio_analytics
from cio_analytics import Client, ConfigurationError
from cio_analytics._settings import proxy_from_mapping
from cio_analytics.testing import LocalServer

from ._proxy import ForwardProxy

customerio = pytest.importorskip("customerio.analytics", reason="the reference extra is missing")

#: A host that cannot be reached without the proxy (.invalid never resolves).
UNREACHABLE = "http://cdp.invalid"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server in strict mode."""
    with LocalServer(strict=True, allowed_hosts=("cdp.invalid",)) as running:
        yield running


def _module_points_at(server: LocalServer) -> None:
    cio_analytics.write_key = server.write_key
    cio_analytics.host = server.url


# -- 1. default_client and VERSION ----------------------------------------------------


class TestDefaultClient:
    """``analytics.default_client`` reads, flushes and resets as in the official module."""

    def test_none_before_the_first_call_then_the_client(self, server: LocalServer) -> None:
        """None until a call builds it; then its flush() delivers what was tracked."""
        _module_points_at(server)
        assert cio_analytics.default_client is None
        assert customerio.default_client is None  # the reference: None before the first call
        message_id = cio_analytics.track("u1", "Signed Up")
        client = cio_analytics.default_client
        assert isinstance(client, Client)
        assert client.flush(5.0)
        assert [m["messageId"] for m in server.messages] == [message_id]

    def test_assigning_none_builds_a_fresh_client_and_loses_nothing(self) -> None:
        """Switching keys between calls: each message reaches the server of its key."""
        with LocalServer("key-a") as first, LocalServer("key-b") as second:
            _module_points_at(first)
            cio_analytics.track("u1", "Under A")
            old = cio_analytics.default_client
            cio_analytics.default_client = None  # the old client is flushed and stopped
            assert cio_analytics.default_client is None
            assert first.events("Under A")
            _module_points_at(second)
            cio_analytics.track("u1", "Under B")
            assert cio_analytics.default_client is not old
            assert cio_analytics.flush(5.0)
            assert second.events("Under B") and not second.events("Under A")

    def test_assigning_a_client(self, server: LocalServer) -> None:
        """A Client assigned as the default client serves the module-level calls."""
        client = Client(server.write_key, host=server.url)
        cio_analytics.default_client = client
        cio_analytics.identify("u1", {"plan": "pro"})
        assert client.flush(5.0)
        assert server.messages_of_type("identify")
        with pytest.raises(TypeError, match="default_client"):
            cio_analytics.default_client = "not a client"  # type: ignore[assignment]

    def test_version(self) -> None:
        """VERSION is the package version, as customerio.analytics.VERSION is its own."""
        assert cio_analytics.__version__ == cio_analytics.VERSION
        assert isinstance(customerio.VERSION, str)


# -- 2 and 3. requests-style proxies ----------------------------------------------------


def _send_through(server: LocalServer, proxies: Any, *, module: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # plain http to a non-loopback host
        if module:
            cio_analytics.configure(write_key=server.write_key, host=UNREACHABLE, proxies=proxies)
            cio_analytics.track("u1", "Via Proxy", {"n": 1})
            assert cio_analytics.flush(10.0)
        else:
            with Client(server.write_key, host=UNREACHABLE, proxies=proxies) as client:
                client.track("u1", "Via Proxy", {"n": 1})
                assert client.flush(10.0)


@pytest.mark.parametrize("module", [True, False], ids=["module", "client"])
@pytest.mark.parametrize(
    "key",
    ["http", "http://cdp.invalid", "all://cdp.invalid", "all"],
)
def test_proxy_without_scheme_and_per_host_keys(
    server: LocalServer, module: bool, key: str
) -> None:
    """A proxy given as host:port under any requests-style key carries the request."""
    with ForwardProxy(server.port) as proxy:
        _send_through(server, {key: proxy.address}, module=module)
    assert proxy.targets == ["http://cdp.invalid/v1/batch"]
    assert server.events("Via Proxy")


def test_proxy_choice_matches_requests() -> None:
    """For each mapping, the proxy picked is the one requests picks (then gets http://)."""
    url = "https://cdp.customer.io/v1/batch"
    one, two = "proxy.internal:3128", "10.0.0.2:8080"
    mappings = [
        {"https": one},
        {"https://cdp.customer.io": one, "https": two},
        {"all://cdp.customer.io": one, "all": two},
        {"all://cdp.customer.io": one, "https": two},
        {"http": one},
        {"all": "http://proxy.internal:3128"},
        {"https": "https://proxy.internal:443"},
        {"https://other.example": one},
        {},
    ]
    for mapping in mappings:
        chosen = requests.utils.select_proxy(url, mapping)
        expected = chosen and requests.utils.prepend_scheme_if_needed(chosen, "http")
        assert proxy_from_mapping(mapping, "https://cdp.customer.io") == expected, mapping


# -- 4. no key: fail once, at construction ------------------------------------------------


def test_client_without_a_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Client() with sending on and no key fails when it is built, as the official one does."""
    with pytest.raises(ConfigurationError, match="CUSTOMERIO_API_KEY") as caught:
        Client()
    assert caught.value.setting == "write_key"
    with pytest.raises(AssertionError):  # the reference fails at construction too
        customerio.Client()
    Client(send=False).track("u1", "Dry Run")  # a dry run needs no key
    monkeypatch.setenv("CUSTOMERIO_API_KEY", "from-the-environment")
    assert Client().settings.write_key == "from-the-environment"


def test_module_level_without_a_key_fails_at_the_first_call() -> None:
    """The default client is built at the first call, so that call raises, clearly."""
    with pytest.raises(ConfigurationError, match="write_key"):
        cio_analytics.track("u1", "Signed Up")
    assert cio_analytics.default_client is None


# -- 5. falsy on_error, and settings checked where they are made -----------------------


@pytest.mark.parametrize("falsy", [False, 0, ""])
def test_falsy_on_error_means_none(server: LocalServer, falsy: Any) -> None:
    """on_error = False is accepted and means no callback, at module level and on Client."""
    _module_points_at(server)
    cio_analytics.on_error = falsy
    cio_analytics.track("u1", "Module Call")
    assert cio_analytics.flush(5.0)
    with Client(server.write_key, host=server.url, on_error=falsy) as client:
        assert client.settings.on_error is None
        client.track("u1", "Client Call")
    assert server.events("Module Call") and server.events("Client Call")


def test_invalid_module_settings_fail_at_assignment() -> None:
    """Before any call, a bad value raises where it is assigned and changes nothing."""
    assert cio_analytics.default_client is None
    with pytest.raises(ConfigurationError, match="on_error"):
        cio_analytics.on_error = "yes"  # type: ignore[assignment]
    with pytest.raises(ConfigurationError, match="max_retries"):
        cio_analytics.max_retries = -1
    with pytest.raises(ConfigurationError, match="proxies"):
        cio_analytics.proxies = 42  # type: ignore[assignment]
    assert cio_analytics.on_error is None
    assert cio_analytics.max_retries is None


# -- 6. max_queue_size=0 -------------------------------------------------------------------


def test_unbounded_queue_is_refused_with_the_reason() -> None:
    """0 meant unbounded in the official library; the error says why not and what to set."""
    for attempt in (
        lambda: Client("k", max_queue_size=0),
        lambda: setattr(cio_analytics, "max_queue_size", 0),
    ):
        with pytest.raises(ConfigurationError, match="unbounded") as caught:
            attempt()
        assert "100_000" in str(caught.value)
    assert customerio.Client("k", max_queue_size=0, send=False).queue.maxsize == 0


# -- 7. what arrives, compared with the official library ----------------------------------


@dataclasses.dataclass
class Cart:
    """A dataclass value, which the official library drops with a warning."""

    items: int


def _official_message(server: LocalServer, **track: Any) -> dict[str, Any]:
    client = customerio.Client(server.write_key, host=server.url, sync_mode=True)
    client.track(**track)
    return server.messages[-1]


def test_empty_objects_and_rich_values_compared_with_the_official_library() -> None:
    """The official library sends {} for absent objects and drops UUIDs and dataclasses."""
    order = uuid.UUID(int=7)
    with LocalServer(strict=False) as server:
        ours = Client(server.write_key, host=server.url)
        ours.track("u1", "Ordered", {"order": order, "cart": Cart(2)})
        ours.flush(5.0)
        mine = server.messages[-1]
        theirs = _official_message(
            server, user_id="u1", event="Ordered", properties={"order": order, "cart": Cart(2)}
        )
        ours.shutdown()
    assert theirs["integrations"] == {}  # sent empty by the official library
    assert "integrations" not in mine  # left out here
    assert theirs["properties"] == {}  # both rich values dropped (with a warning)
    assert mine["properties"] == {"order": str(order), "cart": {"items": 2}}


def test_null_anonymous_id_is_refused_in_strict_mode(server: LocalServer) -> None:
    """The official identify carries "anonymousId": null, which the schema refuses."""
    client = customerio.Client(server.write_key, host=server.url, sync_mode=True)
    # Its sync mode raises on the 400 (a KeyError: our error body has no "code",
    # the quirk cio_api.md section 5.6 records).
    with pytest.raises(Exception):
        client.identify("u1", {"plan": "pro"})
    (rejection,) = server.rejections
    assert '"anonymousId" is null' in rejection.reason
    with Client(server.write_key, host=server.url) as ours:
        ours.identify("u1", {"plan": "pro"})
    assert server.messages_of_type("identify")
