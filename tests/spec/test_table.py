"""The event table agrees with the enums, the helpers, the TypedDicts and the operations."""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import importlib
import inspect
import typing
from typing import Any

import pytest

from cio_analytics import events
from cio_analytics._spec.operations import OPERATIONS
from cio_analytics._spec.table import (
    CUSTOMERIO,
    FAMILIES,
    OPERATION_EVENTS,
    SEMANTIC_EVENTS,
    VALUE_SETS,
    Event,
    Family,
)
from cio_analytics.errors import CioError

#: The parameters every helper takes besides its documented properties.
COMMON = {"self", "user_id", "anonymous_id", "properties", "context", "timestamp",
          "integrations", "message_id"}  # fmt: skip


def normal(annotation: str) -> str:
    """``annotation`` as Python spells it back (as a signature holds it, annotations being lazy)."""
    return ast.unparse(ast.parse(annotation, mode="eval"))


def helper_class(family: Family) -> type[Any]:
    """The generated helper class of ``family``."""
    module = importlib.import_module(f"cio_analytics._spec.{family.module}")
    cls: type[Any] = getattr(module, family.cls)
    return cls


def semantic_events() -> list[Any]:
    """Every semantic event with its family, as pytest parameters."""
    return [
        pytest.param(family, item, id=item.helper)
        for family in FAMILIES
        for item in family.enum.events
    ]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.module)
def test_every_member_has_a_table_entry_and_a_helper(family: Family) -> None:
    """Enum members, table entries and public helper methods correspond one to one."""
    enum = getattr(events, family.enum.name)
    assert [(m.name, m.value) for m in enum] == [(e.member, e.name) for e in family.enum.events]
    cls = helper_class(family)
    public = {name for name in dir(cls) if not name.startswith("_")}
    assert public == {item.helper for item in family.enum.events}
    assert all(item.member == item.helper.upper() for item in family.enum.events)
    face = importlib.import_module(f"cio_analytics.{family.module}")
    for item in family.enum.events:
        assert getattr(face, item.helper) == getattr(face.default, item.helper)


@pytest.mark.parametrize(("family", "item"), semantic_events())
def test_helper_parameters_are_the_table_properties(family: Family, item: Event) -> None:
    """A helper's documented keywords are its event's properties, in order, typed by their kind."""
    method = getattr(helper_class(family), item.helper)
    parameters = inspect.signature(method).parameters
    assert set(parameters) >= COMMON
    documented = [p for name, p in parameters.items() if name not in COMMON]
    assert [p.name for p in documented] == [prop.name for prop in item.properties]
    for parameter, prop in zip(documented, item.properties, strict=True):
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is None
        assert parameter.annotation == normal(f"{prop.kind.annotation} | None")
    hints = typing.get_type_hints(method)  # the annotations resolve at run time too
    assert set(hints) == set(parameters) - {"self"} | {"return"}
    assert SEMANTIC_EVENTS[item.name] is item


def test_table_lists_each_event_once() -> None:
    """No wire name, enum member or helper appears twice across the families."""
    everything = [e for f in FAMILIES for e in f.enum.events] + list(CUSTOMERIO.events)
    for attribute in ("name", "member", "helper"):
        values = [getattr(e, attribute) for e in everything]
        assert len(values) == len(set(values)), attribute


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.module)
def test_typed_dicts_are_the_table_shapes(family: Family) -> None:
    """Each TypedDict has the keys of its shape, typed by their kinds (ids as sent: str)."""
    module = importlib.import_module(f"cio_analytics.{family.module}")
    for shape in family.shapes:
        typed_dict = getattr(module, shape.name)
        annotations = {k: v.__forward_arg__ for k, v in typed_dict.__annotations__.items()}
        assert annotations == {f.key: normal(f.kind.field_annotation) for f in shape.fields}
        assert typed_dict.__total__ is shape.total
        assert shape.name in module.__all__


def test_value_sets_are_the_table_ones() -> None:
    """DeliveryMetric, DeviceType and ContentAction have the table's members."""
    for values in VALUE_SETS:
        enum = getattr(events, values.name)
        assert [(m.name, m.value) for m in enum] == list(values.members)


@pytest.mark.parametrize("item", CUSTOMERIO.events, ids=lambda e: e.helper)
def test_operation_events_name_their_operation(item: Event) -> None:
    """Each CustomerIOEvent is sent by the operation its table entry names, whose
    arguments carry the entry's properties with the kind's annotation."""
    assert events.CustomerIOEvent[item.member] == item.name
    assert OPERATION_EVENTS[item.helper] is item
    parameters = inspect.signature(OPERATIONS[item.helper]).parameters
    for prop in item.properties:
        optional = f"{prop.kind.annotation} | None"
        assert parameters[prop.name].annotation in {normal(prop.kind.annotation), normal(optional)}


#: For each kind annotation a helper uses: values of every type it names (the check must
#: accept them) and values of other types or outside the documented set (it must refuse).
PROBES: dict[str, tuple[list[Any], list[Any]]] = {
    "str": (["text", ""], [1, b"text", ["text"]]),
    "str | int": (["id-1", 7], [1.5, True, b"id"]),
    "int": ([3, 0], [3.0, "3", True]),
    "Number": ([1, 2.5, decimal.Decimal("1.5")], ["1", True, None]),
    "bool": ([True, False], [1, "yes"]),
    "str | dt.date": (["2024-03-01", dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 12)],
                      [20240301, "yesterday"]),
    "Mapping[str, Any]": ([{"asset_id": "42"}], ["content", [("a", 1)]]),
    "Sequence[str]": ([["a", "b"], ("a",)], ["a", [1], {"a": 1}]),
    "str | Number": (["5", 5, 4.5], [[5], True]),
    "str | Mapping[str, Any]": (["roses", {"text": "roses"}], [5, ["roses"]]),
    "Sequence[Product | Mapping[str, Any]]": ([[{"product_id": "p-1"}], ()],
                                              ["p-1", [1], {"product_id": "p-1"}]),
    "Sequence[ListFilter | Mapping[str, Any]]": ([[{"type": "price", "value": "low"}]], ["x"]),
    "Sequence[ListSort | Mapping[str, Any]]": ([[{"type": "price", "value": "asc"}]], ["x"]),
    "Campaign | Mapping[str, Any]": ([{"name": "Spring"}], ["Spring", ["Spring"]]),
    'Literal["pre-roll", "mid-roll", "post-roll"]': (["pre-roll", "post-roll"],
                                                     ["half-roll", "PRE-ROLL", 1]),
    'Literal["linear", "dynamic"]': (["linear", "dynamic"], ["static", 1]),
    "Literal[1, 2, 3]": ([1, 3], [4, 0, "2", True]),
}  # fmt: skip


def kinds_in_use() -> dict[str, Any]:
    """Each kind the helpers use, by annotation."""
    return {p.kind.annotation: p.kind for e in SEMANTIC_EVENTS.values() for p in e.properties}


def test_every_kind_in_use_has_probes() -> None:
    """A new kind needs probes here before the helpers may use it."""
    assert set(kinds_in_use()) == set(PROBES)


@pytest.mark.parametrize("annotation", sorted(PROBES))
def test_each_check_accepts_what_its_annotation_names(annotation: str) -> None:
    """The check of a kind accepts values of each annotated type and refuses the others."""
    kind = kinds_in_use()[annotation]
    accepted, refused = PROBES[annotation]
    for value in accepted:
        kind.check(value, "argument")
    for value in refused:
        with pytest.raises(CioError) as info:
            kind.check(value, "argument")
        assert info.value.argument == "argument"  # type: ignore[attr-defined]


def test_position_is_text_for_promotions_and_an_integer_for_products() -> None:
    """The two documented ``position`` keys: where a promotion shows, where a product ranks."""
    promotion = {p.key: p for p in SEMANTIC_EVENTS["Promotion Viewed"].properties}["position"]
    product = {p.key: p for p in SEMANTIC_EVENTS["Product Added"].properties}["position"]
    assert promotion.kind.annotation == "str"
    assert product.kind.annotation == "int"
    assert promotion.kind.check("home_banner_top", "position") == "home_banner_top"
    assert product.kind.check(3, "position") == 3
    with pytest.raises(CioError):
        promotion.kind.check(3, "position")
    with pytest.raises(CioError):
        product.kind.check("3", "position")
    with pytest.raises(CioError):
        product.kind.check(2.5, "position")
