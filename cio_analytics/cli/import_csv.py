"""The CSV side of ``cio-analytics import``: a header row, then one call per row.

Columns map onto the call's keyword arguments (see :data:`CSV_HELP`); typed
``prop.KEY[:TYPE]`` and ``trait.KEY[:TYPE]`` columns fill the properties and
traits one key at a time. Each row becomes a ``send_batch`` entry, or a
:class:`~cio_analytics.integrations.backfill.Bad` with the reason.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from cio_analytics.cli.common import UsageError
from cio_analytics.cli.send import CALL_OPTIONS
from cio_analytics.integrations.backfill import (
    NOT_UTF8,
    NOT_UTF8_HINT,
    Bad,
    Entry,
    Lines,
    Row,
    stable_id,
)

__all__ = ["CSV_HELP", "csv_rows"]

CSV_HELP: Final = """\
CSV (.csv): a header row, then one call per row. Columns (any order; empty cells
are left out):
  type                  identify, track, page, screen, group or alias (required)
  user_id, anonymous_id, event, name, category, group_id, previous_id,
  object_type_id, timestamp (ISO-8601), message_id
  properties, traits, context, integrations, relationship_attributes
                        a JSON object each
  prop.KEY[:TYPE]       one property (track, page, screen)
  trait.KEY[:TYPE]      one trait (identify, group)
TYPE is str (default), number, int, bool (true/false/1/0/yes/no) or json. A
prop./trait. column wins over the same key in the JSON column."""

_CSV_CALLS: Final = frozenset(CALL_OPTIONS)
_CSV_SCALARS: Final = frozenset(
    {
        "user_id",
        "anonymous_id",
        "event",
        "name",
        "category",
        "group_id",
        "previous_id",
        "object_type_id",
        "timestamp",
        "message_id",
    }
)
_CSV_JSON: Final = frozenset(
    {"properties", "traits", "context", "integrations", "relationship_attributes"}
)
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f"})


@dataclasses.dataclass(frozen=True, slots=True)
class _Column:
    """How one CSV column maps onto the call's arguments."""

    header: str
    argument: str  # "type", a scalar or JSON argument, or "properties"/"traits" for one key
    key: str | None = None  # for prop./trait. columns
    cell_type: str = "str"


def _columns(header: list[str]) -> list[_Column]:
    """The mapping of a CSV header.

    Raises:
        UsageError: An unknown or repeated column, or no ``type`` column.
    """
    columns: list[_Column] = []
    seen: set[str] = set()
    for raw in header:
        name = raw.strip()
        if name in seen:
            raise UsageError(f"the CSV header repeats the column {name!r}")
        seen.add(name)
        lower = name.lower()
        if lower in ("type", "call"):
            columns.append(_Column(name, "type"))
        elif lower in _CSV_SCALARS or lower in _CSV_JSON:
            columns.append(_Column(name, lower))
        elif lower.startswith(("prop.", "trait.")) and len(name.split(".", 1)[1]) > 0:
            prefix, _, rest = name.partition(".")
            key, _, cell_type = rest.rpartition(":") if ":" in rest else (rest, "", "str")
            cell_type = cell_type.lower() or "str"
            if not key or cell_type not in _CELL_TYPES:
                raise UsageError(
                    f"the CSV column {name!r} is not PREFIX.KEY[:TYPE] with TYPE one of "
                    f"{', '.join(_CELL_TYPES)}"
                )
            argument = "properties" if prefix.lower() == "prop" else "traits"
            columns.append(_Column(name, argument, key, cell_type))
        else:
            raise UsageError(
                f"unknown CSV column {name!r}; the columns are type, "
                f"{', '.join(sorted(_CSV_SCALARS | _CSV_JSON))}, prop.KEY and trait.KEY "
                "(see cio-analytics import --help)"
            )
    if not any(column.argument == "type" for column in columns):
        raise UsageError('the CSV header has no "type" column (identify, track, page ...)')
    return columns


def _number_cell(text: str) -> int | Decimal:
    """A ``number`` cell: an int when it is one, else a finite Decimal (raises ValueError)."""
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return number


def _bool_cell(text: str) -> bool:
    """A ``bool`` cell: true/false, 1/0, yes/no, y/n or t/f (raises ValueError)."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (true/false, 1/0, yes/no)")


#: How a prop./trait. cell of each declared type is read (each raises ValueError).
_CELL_READERS: Final[Mapping[str, Callable[[str], Any]]] = {
    "str": str,
    "number": _number_cell,
    "int": int,
    "bool": _bool_cell,
    "json": json.loads,
}
_CELL_TYPES: Final = tuple(_CELL_READERS)


def _cell(column: _Column, text: str) -> Any:
    """A prop./trait. cell's value in its declared type (raises ValueError)."""
    return _CELL_READERS.get(column.cell_type, json.loads)(text)


def _csv_value(column: _Column, cell: str) -> Any:
    """One non-empty cell's value for its column (raises ValueError with the reason)."""
    if column.key is not None:
        return _cell(column, cell)
    if column.argument in _CSV_JSON:
        try:
            value = json.loads(cell)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from None
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object")
        return value
    return cell


def _csv_arguments(
    columns: list[_Column], row: list[str]
) -> tuple[str | None, dict[str, Any]] | Bad:
    """The row's call name and keyword arguments, each prop./trait. cell merged into its object."""
    call: str | None = None
    kwargs: dict[str, Any] = {}
    singles: dict[str, dict[str, Any]] = {}
    for column, cell in zip(columns, row, strict=False):
        if cell == "":
            continue
        if column.argument == "type":
            call = cell.strip()
            continue
        try:
            value = _csv_value(column, cell)
        except ValueError as exc:
            return Bad(f"column {column.header}: {exc}")
        if column.key is None:
            kwargs[column.argument] = value
        else:
            singles.setdefault(column.argument, {})[column.key] = value
    for argument, values in singles.items():
        merged = kwargs.get(argument)
        kwargs[argument] = {**merged, **values} if isinstance(merged, dict) else values
    return call, kwargs


def _csv_call(call: str | None, kwargs: dict[str, Any]) -> Entry | Bad:
    """The entry of a row's call and arguments, or why that call cannot take them."""
    if call is None:
        return Bad('the "type" cell is empty')
    if call not in _CSV_CALLS:
        return Bad(f"type {call!r} is not one of {', '.join(sorted(_CSV_CALLS))}")
    allowed = {*CALL_OPTIONS[call], "context", "integrations", "timestamp", "message_id"}
    extra = sorted(set(kwargs) - allowed)
    if extra:
        what = {"properties": "properties (or prop.* columns)", "traits": "traits (or trait.*)"}
        names = ", ".join(what.get(name, name) for name in extra)
        article = "an" if call[0] in "aeiou" else "a"
        return Bad(f"{article} {call} row cannot have {names}")
    return call, kwargs


def _csv_entry(columns: list[_Column], row: list[str]) -> Entry | Bad | None:
    """The call of one CSV row; None when every cell is empty."""
    if len(row) > len(columns):
        return Bad(f"the row has {len(row)} fields, the header {len(columns)}")
    if not any(cell.strip() for cell in row):
        return None
    arguments = _csv_arguments(columns, row)
    if isinstance(arguments, Bad):
        return arguments
    return _csv_call(*arguments)


def csv_rows(lines: Lines, stable_ids: bool) -> Iterator[Row]:
    """(first line number, entry) per CSV record.

    Raises:
        UsageError: The header cannot be read or names an unknown column.
    """
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UsageError(f"the CSV header cannot be read: {exc}") from None
    if lines.bad_lines:
        raise UsageError(f"the CSV header is not UTF-8 text ({NOT_UTF8_HINT})")
    columns = _columns(header)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, Bad(f"not valid CSV: {exc}")
            continue
        if any(start <= n <= reader.line_num for n in lines.bad_lines):
            yield start, Bad(NOT_UTF8)
            continue
        entry = _csv_entry(columns, row)
        if stable_ids and isinstance(entry, tuple) and entry[1].get("message_id") is None:
            entry[1]["message_id"] = stable_id(start, "\x1f".join(row))
        yield start, entry


# -- running -----------------------------------------------------------------------
