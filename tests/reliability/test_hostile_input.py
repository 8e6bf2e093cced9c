"""Hostile input: values either arrive exactly as given or are refused at the call.

The property tests (hypothesis, derandomized) generate JSON-like data with
unicode, lone surrogates, huge ints, NaN/infinity, nesting and strings around
the 32 KB limit. Each value must either be refused by ``track()`` with a
CioError naming a key path where something JSON cannot carry sits, or be
accepted, delivered, and decode on the server to exactly the same value (same
types, same key order, same float bits). Nothing may fail later in the
consumer thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cio_analytics import Client
from cio_analytics.errors import (
    CioError,
    InvalidValueError,
    MessageTooLargeError,
    UnsupportedValueError,
)
from cio_analytics.testing import LocalServer

from ._outcomes import ErrorLog
from .conftest import BOUND

LIMIT = 32 * 1024

PROPERTY_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=150,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


class ConsumerWatch(logging.Handler):
    """Records ERROR records of the library and exceptions escaping any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []
        self.thread_errors: list[BaseException | None] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))

    def hook(self, args: threading.ExceptHookArgs) -> None:
        self.thread_errors.append(args.exc_value)


@dataclasses.dataclass
class Pipeline:
    """One server and one client shared by the examples of this module."""

    server: LocalServer
    client: Client
    errors: ErrorLog
    watch: ConsumerWatch

    def message(self, message_id: str) -> dict[str, Any]:
        """The message the server accepted with this id (exactly one)."""
        found = [m for m in self.server.messages if m["messageId"] == message_id]
        assert len(found) == 1, f"{message_id} arrived {len(found)} times"
        return found[0]


@pytest.fixture(scope="module", name="module_pipeline")
def fixture_module_pipeline() -> Iterator[Pipeline]:
    """A server, a client and a watch on the consumer thread, for the whole module."""
    watch = ConsumerWatch()
    library = logging.getLogger("cio_analytics")
    library.addHandler(watch)
    previous_hook = threading.excepthook
    threading.excepthook = watch.hook
    server = LocalServer().start()
    errors = ErrorLog()
    client = Client(
        write_key=server.write_key,
        host=server.url,
        on_error=errors,
        upload_interval=0.005,
        max_retries=2,
        shutdown_timeout=5.0,
    )
    try:
        yield Pipeline(server, client, errors, watch)
    finally:
        client.shutdown(timeout=5.0)
        server.stop()
        threading.excepthook = previous_hook
        library.removeHandler(watch)


@pytest.fixture(name="pipeline")
def fixture_pipeline(module_pipeline: Pipeline) -> Iterator[Pipeline]:
    """The module's pipeline; after each test nothing failed in the consumer or on delivery."""
    yield module_pipeline
    assert module_pipeline.client.flush(timeout=BOUND)
    assert module_pipeline.watch.records == [], module_pipeline.watch.records[:3]
    assert module_pipeline.watch.thread_errors == []
    reports = module_pipeline.errors.snapshot()
    assert reports == [], f"accepted values were refused later: {reports[0].error}"


# -- strict equality and the oracle ---------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal with the same JSON types, key order and float sign (1 != 1.0 != True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (not valid UTF-8)."""
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def problems(value: Any, path: str) -> set[str]:
    """Key paths (in the library's notation) where ``value`` holds something JSON cannot carry."""
    found: set[str] = set()
    if (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, str) and has_surrogate(value)
    ):
        found.add(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            found |= problems(item, f"{path}[{key!r}]")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= problems(item, f"{path}[{index}]")
    return found


def call(action: Callable[[], str]) -> tuple[str | None, CioError | None]:
    """Run one API call: (message id, None) when accepted, (None, error) when refused."""
    try:
        return action(), None
    except CioError as exc:
        return None, exc


def check_refusal(error: CioError, bad: set[str]) -> None:
    """A refusal must be justified: a ValueError/TypeError naming one of the bad paths."""
    assert bad, f"refused a value JSON can carry unchanged: {error!r}"
    assert isinstance(error, ValueError | TypeError)
    path = getattr(error, "path", None)
    assert path in bad, f"error path {path!r} is not one of {sorted(bad)[:3]}"
    assert path in str(error)


# -- strategies -----------------------------------------------------------------------

plain_text = st.text(st.characters(codec="utf-8"), max_size=20)
surrogate_text = st.builds(
    lambda head, s, tail: head + s + tail,
    plain_text,
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=()),
    plain_text,
)
text = st.one_of(plain_text, plain_text, plain_text, surrogate_text)
keys = st.text(st.characters(codec="utf-8"), max_size=10)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    text,
)


def json_like(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nested lists and dicts over ``leaf``."""
    return st.recursive(
        leaf,
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(keys, children, max_size=4),
        max_leaves=25,
    )


properties = st.dictionaries(keys, json_like(leaves), max_size=6)
#: The same without lone surrogates (a separate test covers those in context).
clean_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), plain_text
)
clean_properties = st.dictionaries(keys, json_like(clean_leaves), max_size=6)


class TestArbitraryValues:
    """Generated JSON-like data: exact arrival or a clear refusal at the call."""

    @PROPERTY_SETTINGS
    @given(props=properties)
    def test_properties_arrive_unchanged_or_are_refused(
        self, pipeline: Pipeline, props: dict[str, Any]
    ) -> None:
        """track(properties=...) sends the value unchanged, or raises naming a bad key path."""
        bad = problems(props, "properties")
        message_id, refused = call(lambda: pipeline.client.track("hostile", "Hostile Input", props))
        if refused is not None:
            check_refusal(refused, bad)
            return
        assert not bad, f"accepted what JSON cannot carry unchanged at {sorted(bad)[:3]}"
        assert pipeline.client.flush(timeout=BOUND)
        arrived = pipeline.message(message_id)
        assert same(arrived["properties"], props), (arrived["properties"], props)

    @PROPERTY_SETTINGS
    @given(traits=properties)
    def test_traits_arrive_unchanged_or_are_refused(
        self, pipeline: Pipeline, traits: dict[str, Any]
    ) -> None:
        """identify(traits=...) behaves the same way; the error names a path under traits."""
        bad = problems(traits, "traits")
        message_id, refused = call(lambda: pipeline.client.identify("hostile", traits))
        if refused is not None:
            check_refusal(refused, bad)
            return
        assert not bad, f"accepted what JSON cannot carry unchanged at {sorted(bad)[:3]}"
        assert pipeline.client.flush(timeout=BOUND)
        arrived = pipeline.message(message_id)
        assert same(arrived["traits"], traits), (arrived["traits"], traits)

    @PROPERTY_SETTINGS
    @given(context=clean_properties)
    def test_context_arrives_unchanged_or_is_refused(
        self, pipeline: Pipeline, context: dict[str, Any]
    ) -> None:
        """track(context=...) sends the caller's context unchanged (plus context.library)."""
        context.pop("library", None)  # the library's own key, replaced on every message
        bad = problems(context, "context")
        message_id, refused = call(
            lambda: pipeline.client.track("hostile", "Hostile Context", context=context)
        )
        if refused is not None:
            check_refusal(refused, bad)
            return
        assert not bad, f"accepted what JSON cannot carry unchanged at {sorted(bad)[:3]}"
        assert pipeline.client.flush(timeout=BOUND)
        sent = dict(pipeline.message(message_id)["context"])
        assert sent.pop("library")["name"] == "cio-analytics"
        assert same(sent, context), (sent, context)


#: (character, bytes it takes in JSON): plain, 2-, 3- and 4-byte UTF-8, escaped ones.
FILLERS = [("x", 1), ("\u00e9", 2), ("\u20ac", 3), ("\U0001f600", 4), ("\u0001", 6), ('"', 2)]


class TestAroundThe32KBLimit:
    """Strings near and over the per-call limit."""

    @settings(
        deadline=None,
        derandomize=True,
        database=None,
        max_examples=40,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        target=st.integers(min_value=LIMIT - 1500, max_value=LIMIT + 300),
        filler=st.sampled_from(FILLERS),
        prefix=plain_text,
    )
    def test_big_strings(
        self, pipeline: Pipeline, target: int, filler: tuple[str, int], prefix: str
    ) -> None:
        """Accepted big messages are accepted by the server too; refused ones are really too big."""
        char, width = filler
        value = prefix + char * (target // width)
        props = {"blob": value}
        encoded = len(msgspec.json.encode(props))
        message_id, refused = call(lambda: pipeline.client.track("big", "Big Value", props))
        if refused is not None:
            assert isinstance(refused, MessageTooLargeError), repr(refused)
            assert refused.size > refused.limit == LIMIT
            assert encoded > LIMIT - 1024, "refused a message well under 32 KB"
            assert "properties" in str(refused)
            return
        assert encoded <= LIMIT, "accepted properties that alone exceed 32 KB"
        assert pipeline.client.flush(timeout=BOUND)
        assert pipeline.message(message_id)["properties"]["blob"] == value


class TestNesting:
    """Deep nesting is refused clearly, never with a RecursionError."""

    @staticmethod
    def nested(depth: int, kind: str) -> Any:
        value: Any = "leaf"
        for _ in range(depth):
            value = [value] if kind == "list" else {"k": value}
        return value

    @pytest.mark.parametrize("kind", ["list", "dict"])
    def test_moderate_nesting_arrives(self, pipeline: Pipeline, kind: str) -> None:
        """Twenty levels of nesting arrive unchanged."""
        value = self.nested(20, kind)
        message_id = pipeline.client.track("u", "Nested", {"v": value})
        assert pipeline.client.flush(timeout=BOUND)
        assert same(pipeline.message(message_id)["properties"]["v"], value)

    @pytest.mark.parametrize("kind", ["list", "dict"])
    @pytest.mark.parametrize("depth", [60, 63, 64, 65, 70])
    def test_nesting_near_the_limit(self, pipeline: Pipeline, kind: str, depth: int) -> None:
        """Near the depth limit a value either arrives unchanged or is refused naming its path."""
        value = self.nested(depth, kind)
        message_id, refused = call(lambda: pipeline.client.track("u", "Nested", {"v": value}))
        if refused is not None:
            assert isinstance(refused, InvalidValueError), repr(refused)
            assert refused.path.startswith("properties['v']")
            return
        assert pipeline.client.flush(timeout=BOUND)
        assert same(pipeline.message(message_id)["properties"]["v"], value)

    @pytest.mark.parametrize("kind", ["list", "dict"])
    def test_very_deep_nesting_is_refused(self, pipeline: Pipeline, kind: str) -> None:
        """5,000 levels (past the interpreter's recursion limit) give an InvalidValueError."""
        before = pipeline.client.stats().enqueued
        with pytest.raises(InvalidValueError) as caught:
            pipeline.client.track("u", "Nested", {"v": self.nested(5000, kind)})
        assert caught.value.path.startswith("properties['v']")
        assert "deep" in str(caught.value)
        assert pipeline.client.stats().enqueued == before


@dataclasses.dataclass
class Node:
    """A dataclass that can point at itself."""

    name: str
    next: Any = None


class TestClearErrors:
    """Values JSON cannot carry get errors naming the argument and the key path."""

    @pytest.mark.parametrize(
        ("value", "path"),
        [
            ({"a": {1: "one"}}, "properties['a']"),
            ({"a": {None: 1}}, "properties['a']"),
            ({"a": {(1, 2): 1}}, "properties['a']"),
            ({"a": {True: 1}}, "properties['a']"),
            ({"a": [{2.5: 1}]}, "properties['a'][0]"),
            ({"a": {frozenset({1}): 1}}, "properties['a']"),
        ],
        ids=["int", "None", "tuple", "bool", "float-in-list", "frozenset"],
    )
    def test_non_string_keys(self, pipeline: Pipeline, value: Any, path: str) -> None:
        """A non-str dict key raises UnsupportedValueError (a TypeError) at the dict's path."""
        before = pipeline.client.stats().enqueued
        with pytest.raises(UnsupportedValueError) as caught:
            pipeline.client.track("u", "Keys", value)
        assert isinstance(caught.value, TypeError)
        assert caught.value.path == path
        assert path in str(caught.value) and "key" in str(caught.value)
        assert pipeline.client.stats().enqueued == before

    @pytest.mark.parametrize("blob", [b"raw", bytearray(b"raw"), memoryview(b"raw")])
    def test_bytes_values(self, pipeline: Pipeline, blob: Any) -> None:
        """bytes-like values are refused (not base64'd silently), naming the path."""
        with pytest.raises(UnsupportedValueError) as caught:
            pipeline.client.track("u", "Bytes", {"outer": {"data": [1, blob]}})
        assert caught.value.path == "properties['outer']['data'][1]"
        assert type(blob).__name__ in str(caught.value)

    def test_cycles(self, pipeline: Pipeline) -> None:
        """Self-referencing dicts, lists and dataclasses are refused, naming the path."""
        looped_dict: dict[str, Any] = {}
        looped_dict["me"] = looped_dict
        looped_list: list[Any] = []
        looped_list.append(looped_list)
        node = Node("a")
        node.next = Node("b", node)
        cases = [
            ({"d": looped_dict}, "properties['d']['me']"),
            ({"l": looped_list}, "properties['l'][0]"),
            ({"n": node}, "properties['n'].next.next"),
        ]
        for value, path in cases:
            with pytest.raises(InvalidValueError) as caught:
                pipeline.client.track("u", "Cycle", value)
            assert caught.value.path == path
            assert "cycl" in str(caught.value)
        with pytest.raises(InvalidValueError) as caught:
            pipeline.client.identify("u", {"d": looped_dict})
        assert caught.value.path.startswith("traits")

    def test_errors_name_the_argument(self, pipeline: Pipeline) -> None:
        """The same checks apply to context, integrations and group traits, named as such."""
        cases = [
            (lambda: pipeline.client.track("u", "E", context={"x": math.nan}), "context['x']"),
            (
                lambda: pipeline.client.track("u", "E", integrations={"x": b"1"}),
                "integrations['x']",
            ),
            (lambda: pipeline.client.group("u", "g", {"x": [math.inf]}), "traits['x'][0]"),
            (lambda: pipeline.client.page("u", name="P", properties={"x": "\ud800"}), None),
        ]
        for call, path in cases:
            with pytest.raises(CioError) as caught:
                call()
            if path is not None:
                assert caught.value.path == path  # type: ignore[attr-defined]
            else:
                assert "properties" in str(caught.value)

    def test_surrogate_in_context(self, pipeline: Pipeline) -> None:
        """A lone surrogate in context is refused with InvalidValueError naming its path."""
        with pytest.raises(InvalidValueError) as caught:
            pipeline.client.track("u", "E", context={"page": {"title": "x\ud800"}})
        assert caught.value.path == "context['page']['title']"

    def test_surrogate_in_a_key(self, pipeline: Pipeline) -> None:
        """A lone surrogate in a dict key is refused naming the dict's path (a ValueError)."""
        with pytest.raises(InvalidValueError) as caught:
            pipeline.client.track("u", "E", {"outer": {"bad\udc80key": 1}})
        assert caught.value.path.startswith("properties['outer']")


class Colour(enum.Enum):
    """An Enum sent as its value."""

    RED = "red"


class Point(msgspec.Struct):
    """A msgspec Struct sent as an object."""

    x: int
    y: int


class TestRichValues:
    """The non-JSON types the spec promises arrive as documented (they never vanish)."""

    def test_documented_conversions(self, pipeline: Pipeline) -> None:
        """UUID, dataclass, Struct, Decimal, datetime, date, Enum, tuple, set arrive converted."""
        ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
        when = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
        props = {
            "id": ident,
            "node": Node("n1"),
            "point": Point(1, 2),
            "price": decimal.Decimal("19.99"),
            "at": when,
            "day": dt.date(2026, 1, 2),
            "colour": Colour.RED,
            "pair": (1, "two"),
            "tags": {"only"},
        }
        message_id = pipeline.client.track("u", "Rich", props)
        assert pipeline.client.flush(timeout=BOUND)
        got = pipeline.message(message_id)["properties"]
        assert got["id"] == str(ident)
        assert got["node"] == {"name": "n1", "next": None}
        assert got["point"] == {"x": 1, "y": 2}
        assert got["price"] == 19.99
        assert dt.datetime.fromisoformat(got["at"]) == when
        assert got["day"] == "2026-01-02"
        assert got["colour"] == "red"
        assert got["pair"] == [1, "two"]
        assert got["tags"] == ["only"]

    def test_mutation_after_the_call_changes_nothing(self, pipeline: Pipeline) -> None:
        """The message is encoded at the call: later changes to the caller's dict are not sent."""
        props: dict[str, Any] = {"items": [1, 2], "nested": {"k": "v"}}
        message_id = pipeline.client.track("u", "Snapshot", props)
        props["items"].append(3)
        props["nested"]["k"] = "changed"
        props["new"] = True
        assert pipeline.client.flush(timeout=BOUND)
        got = pipeline.message(message_id)["properties"]
        assert got == {"items": [1, 2], "nested": {"k": "v"}}
