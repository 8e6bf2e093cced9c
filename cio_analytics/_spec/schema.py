"""The shape of the Customer.io vocabulary table, and the kinds of values a property holds.

:mod:`cio_analytics._spec.table` is written in these terms: an :class:`Event`
has :class:`Property` entries, each of one :class:`Kind`. A kind carries both
the annotation a generated signature uses and the check that runs on the
value at the call, so the two cannot disagree.
"""

from __future__ import annotations

from typing import Final

import msgspec

from cio_analytics._wire import checks
from cio_analytics._wire.checks import Check

__all__ = [
    "BOOLEAN",
    "DATE_TIME",
    "ID",
    "IDENTIFIER",
    "INTEGER",
    "INTEGER_ID",
    "MAPPING",
    "NUMBER",
    "OBJECT_TYPE",
    "TEXT",
    "TEXT_LIST",
    "TEXT_OR_MAPPING",
    "TEXT_OR_NUMBER",
    "Event",
    "EventEnum",
    "Family",
    "Kind",
    "Property",
    "Shape",
    "ValueSet",
    "choice",
    "event",
    "mapping_list_of",
    "mapping_of",
    "one_of",
]


# -- the shape of the table ----------------------------------------------------


class Kind(msgspec.Struct, frozen=True):
    """What a property holds: the annotation of its argument and the check of its value.

    ``annotation`` is the type of the keyword argument as generated signatures
    spell it (without the ``| None`` of an optional argument); ``field`` is the
    type of the key in a TypedDict, where the value is written as it is sent
    (an id is a str there), when that differs.
    """

    name: str
    annotation: str
    check: Check
    field: str = ""

    @property
    def field_annotation(self) -> str:
        """The annotation of a TypedDict key of this kind."""
        return self.field or self.annotation


class Property(msgspec.Struct, frozen=True):
    """One documented property: wire key, kind, documentation, and whether it is required.

    ``argument`` names the keyword argument when it is not the wire key (the
    operations take snake_case arguments for camelCase keys); ``within`` is
    where the key goes in the message; ``default`` is sent when the argument
    is None.
    """

    key: str
    kind: Kind
    doc: str
    required: bool = False
    argument: str = ""
    default: object = None
    within: str = "properties"

    @property
    def name(self) -> str:
        """The keyword argument that carries this property."""
        return self.argument or self.key


class Shape(msgspec.Struct, frozen=True):
    """A TypedDict describing an object value (a product, a campaign ...)."""

    name: str
    summary: str
    example: str
    fields: tuple[Property, ...]
    total: bool = False


class Event(msgspec.Struct, frozen=True):
    """One event: wire name, enum member, helper or operation, summary, properties."""

    name: str
    member: str
    helper: str
    summary: str
    properties: tuple[Property, ...] = ()
    example: str = ""
    note: str = ""
    section: str = ""


class EventEnum(msgspec.Struct, frozen=True):
    """A StrEnum of event names, with its docstring and example."""

    name: str
    summary: str
    example: str
    events: tuple[Event, ...]


class Family(msgspec.Struct, frozen=True):
    """A family of semantic events: its enum, helper class, modules and TypedDicts."""

    module: str
    cls: str
    title: str
    doc: str
    class_example: str
    enum: EventEnum
    shapes: tuple[Shape, ...] = ()


class ValueSet(msgspec.Struct, frozen=True):
    """A documented set of values, generated as a StrEnum."""

    name: str
    summary: str
    example: str
    members: tuple[tuple[str, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        """The values, in order."""
        return tuple(value for _, value in self.members)


def event(
    helper: str,
    name: str,
    summary: str,
    *properties: Property,
    example: str,
    note: str = "",
    section: str = "",
) -> Event:
    """A semantic event, whose enum member is its helper's name in upper case."""
    return Event(name, helper.upper(), helper, summary, properties, example, note, section)


# -- kinds -----------------------------------------------------------------------

TEXT: Final = Kind("text", "str", checks.text)
IDENTIFIER: Final = Kind("identifier", "str | int", checks.identifier, field="str")
NUMBER: Final = Kind("number", "Number", checks.number)
INTEGER: Final = Kind("integer", "int", checks.integer)
BOOLEAN: Final = Kind("boolean", "bool", checks.boolean)
DATE_TIME: Final = Kind("date_time", "str | dt.date", checks.date_time)
MAPPING: Final = Kind("mapping", "Mapping[str, Any]", checks.mapping)
TEXT_LIST: Final = Kind("text_list", "Sequence[str]", checks.text_list)
TEXT_OR_NUMBER: Final = Kind("text_or_number", "str | Number", checks.text_or_number)
TEXT_OR_MAPPING: Final = Kind("text_or_mapping", "str | Mapping[str, Any]", checks.text_or_mapping)
#: The operations' ids: a str or an int (or a UUID), sent as a string.
ID: Final = Kind("id", "str | int", checks.id_arg)
#: An object type id: a positive int, or a str of digits.
OBJECT_TYPE: Final = Kind("object_type", "str | int", checks.positive_integer)
#: A content or template id: a non-negative int, or a str of digits.
INTEGER_ID: Final = Kind("integer_id", "int | str", checks.integer_id)


def mapping_of(shape: Shape) -> Kind:
    """An object described by ``shape`` (other keys allowed)."""
    return Kind(f"mapping of {shape.name}", f"{shape.name} | Mapping[str, Any]", checks.mapping)


def mapping_list_of(shape: Shape) -> Kind:
    """A list of objects described by ``shape``."""
    annotation = f"Sequence[{shape.name} | Mapping[str, Any]]"
    return Kind(f"list of {shape.name}", annotation, checks.mapping_list)


def _literal(value: str | int) -> str:
    """``value`` as a literal in an annotation (the JSON spelling, without importing json)."""
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def one_of(*values: str | int) -> Kind:
    """Exactly one of ``values`` (all str, or all int)."""
    base = checks.integer if all(isinstance(v, int) for v in values) else checks.text
    literal = ", ".join(_literal(v) for v in values)
    return Kind(f"one of {literal}", f"Literal[{literal}]", checks.one_of(values, base))


def choice(values: ValueSet) -> Kind:
    """One of a value set, given as a member or its value (the check also takes any case)."""
    literal = ", ".join(_literal(v) for v in values.values)
    annotation = f"{values.name} | Literal[{literal}]"
    return Kind(f"choice of {values.name}", annotation, checks.choice(values.values))
