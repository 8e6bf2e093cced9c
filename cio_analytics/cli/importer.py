"""``cio-analytics import FILE``: backfill calls from a JSON Lines or CSV file.

The file is read in chunks (bounded memory); each chunk goes through
:meth:`cio_analytics.Client.send_batch`, which validates every entry, sends
the valid ones in requests under the 500 KB limit with the client's retries
and rate limiter, and reports each failure by position. Every bad line is
reported to stderr as ``FILE:LINE: reason`` and the import goes on; a summary
follows at the end. Exit status: 0 when every line was delivered, 1 when some
were invalid or not delivered, 2 for bad input before anything was sent (no
file, unknown format, bad CSV header, no key).

JSON Lines: one JSON object per line, either

- a message in its wire shape, with ``type``:
  ``{"type": "track", "userId": "u1", "event": "Signed Up", "properties": {"plan": "pro"}}``
- a call with its keyword arguments, with ``call``:
  ``{"call": "track", "user_id": "u1", "event": "Signed Up"}``; ``call`` is
  ``identify``/``track``/``page``/``screen``/``group``/``alias``, an operation
  (``add_device``, ``delete_user``, ``create_object`` ...) or a semantic helper
  (``ecommerce.order_completed`` ...).

CSV: a header row, then one call per row; see :data:`CSV_HELP`.

Unless ``--random-ids`` is given, a line without a message id gets one derived
from its line number and text, so importing the same file again sends the same
ids and Customer.io can recognise the repeats (a safe way to resume).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Final

from cio_analytics._bulk import Entry
from cio_analytics._client import Client
from cio_analytics._settings import ENV_API_KEY
from cio_analytics.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Progress,
    UsageError,
    error,
    resolve_settings,
)
from cio_analytics.cli.send import CALL_OPTIONS
from cio_analytics.errors import ConfigurationError

__all__ = ["CSV_HELP", "DEFAULT_CHUNK", "JSONL_HELP", "run_import"]

#: Lines sent per ``send_batch`` call (the memory bound).
DEFAULT_CHUNK: Final = 1000
#: Exit status after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED: Final = 130

JSONL_HELP: Final = """\
JSON Lines (.jsonl, .ndjson): one object per line, either a message in its wire
shape with "type" ({"type": "track", "userId": "u1", "event": "Signed Up"}) or a
call with its keyword arguments with "call" ({"call": "track", "user_id": "u1",
"event": "Signed Up"}; also operations such as "add_device" and helpers such as
"ecommerce.order_completed"). Blank lines are skipped."""

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

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/cio-analytics/import")
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
_INDEX_PREFIX: Final = re.compile(r"^messages\[\d+\]:?\s*")
_NOT_UTF8_HINT: Final = "save the file as UTF-8"
_NOT_UTF8: Final = f"not UTF-8 text ({_NOT_UTF8_HINT})"


@dataclasses.dataclass(frozen=True, slots=True)
class _Bad:
    """A line that cannot become a call, and why."""

    reason: str


@dataclasses.dataclass(slots=True)
class _Totals:
    """What happened to the lines so far."""

    lines: int = 0
    skipped: int = 0
    invalid: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    requests: int = 0


# -- reading -----------------------------------------------------------------------


class _Lines:
    """A binary file's lines, decoded as UTF-8 one by one.

    Counts the bytes read (for the progress line) and remembers the numbers of
    the lines that are not valid UTF-8: they are decoded with replacement
    characters so reading goes on, and reported as bad lines by the parsers.
    A UTF-8 byte-order mark (spreadsheet programs write one) is dropped.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.consumed = 0
        self.bad_lines: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self._handle, start=1):
            self.consumed += len(raw)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")


def _stable_id(line: int, text: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{line}\x00{text}"))


#: One line's outcome: its number and its entry (None: blank; _Bad: refused).
Row = tuple[int, "Entry | _Bad | None"]


def _jsonl_rows(lines: _Lines, stable_ids: bool) -> Iterator[Row]:
    """(line number, entry) per line; None for a blank line, _Bad for a bad one."""
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if number in lines.bad_lines:
            yield number, _Bad(_NOT_UTF8)
            continue
        if not text:
            yield number, None
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, _Bad(f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(value, dict):
            yield number, _Bad(f"a line must be a JSON object, got {type(value).__name__}")
            continue
        if "call" in value:
            if "type" in value:
                yield number, _Bad('a line has either "call" or "type", not both')
                continue
            name = value.pop("call")
            if not isinstance(name, str) or not name:
                yield number, _Bad('"call" must be a call name such as "track"')
                continue
            if stable_ids and value.get("message_id") is None:
                value["message_id"] = _stable_id(number, text)
            yield number, (name, value)
        elif "type" in value:
            if stable_ids and value.get("messageId") is None:
                value["messageId"] = _stable_id(number, text)
            yield number, value
        else:
            yield (
                number,
                _Bad(
                    'a line needs "type" (a message in its wire shape) or "call" '
                    "(a call name and its keyword arguments)"
                ),
            )


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
) -> tuple[str | None, dict[str, Any]] | _Bad:
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
            return _Bad(f"column {column.header}: {exc}")
        if column.key is None:
            kwargs[column.argument] = value
        else:
            singles.setdefault(column.argument, {})[column.key] = value
    for argument, values in singles.items():
        merged = kwargs.get(argument)
        kwargs[argument] = {**merged, **values} if isinstance(merged, dict) else values
    return call, kwargs


def _csv_call(call: str | None, kwargs: dict[str, Any]) -> Entry | _Bad:
    """The entry of a row's call and arguments, or why that call cannot take them."""
    if call is None:
        return _Bad('the "type" cell is empty')
    if call not in _CSV_CALLS:
        return _Bad(f"type {call!r} is not one of {', '.join(sorted(_CSV_CALLS))}")
    allowed = {*CALL_OPTIONS[call], "context", "integrations", "timestamp", "message_id"}
    extra = sorted(set(kwargs) - allowed)
    if extra:
        what = {"properties": "properties (or prop.* columns)", "traits": "traits (or trait.*)"}
        names = ", ".join(what.get(name, name) for name in extra)
        article = "an" if call[0] in "aeiou" else "a"
        return _Bad(f"{article} {call} row cannot have {names}")
    return call, kwargs


def _csv_entry(columns: list[_Column], row: list[str]) -> Entry | _Bad | None:
    """The call of one CSV row; None when every cell is empty."""
    if len(row) > len(columns):
        return _Bad(f"the row has {len(row)} fields, the header {len(columns)}")
    if not any(cell.strip() for cell in row):
        return None
    arguments = _csv_arguments(columns, row)
    if isinstance(arguments, _Bad):
        return arguments
    return _csv_call(*arguments)


def _csv_rows(lines: _Lines, stable_ids: bool) -> Iterator[Row]:
    """(first line number, entry) per CSV record; raises UsageError for a bad header."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UsageError(f"the CSV header cannot be read: {exc}") from None
    if lines.bad_lines:
        raise UsageError(f"the CSV header is not UTF-8 text ({_NOT_UTF8_HINT})")
    columns = _columns(header)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, _Bad(f"not valid CSV: {exc}")
            continue
        if any(start <= n <= reader.line_num for n in lines.bad_lines):
            yield start, _Bad(_NOT_UTF8)
            continue
        entry = _csv_entry(columns, row)
        if stable_ids and isinstance(entry, tuple) and entry[1].get("message_id") is None:
            entry[1]["message_id"] = _stable_id(start, "\x1f".join(row))  # type: ignore[index]
        yield start, entry


# -- running -----------------------------------------------------------------------


def _format_of(args: argparse.Namespace) -> str:
    if args.format is not None:
        return str(args.format)
    suffix = Path(args.file).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if args.file == "-":
        raise UsageError("reading standard input: give --format jsonl or --format csv")
    raise UsageError(f"cannot tell the format of {args.file!r} from its name: use --format")


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot open {path}: {exc.strerror}") from None


def _size(handle: IO[bytes]) -> int | None:
    try:
        info = os.fstat(handle.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return info.st_size if info.st_size > 0 else None


class _Importer:
    """One import run: reads, sends chunk by chunk, reports, and adds up."""

    def __init__(self, args: argparse.Namespace, client: Client, label: str) -> None:
        self.args = args
        self.client = client
        self.label = label
        self.totals = _Totals()
        self.progress = Progress(enabled=False if args.quiet else None)
        self.started = time.perf_counter()
        self.resume_line: int | None = None  # the first line not yet settled
        self.pending: list[tuple[int, str]] = []  # bad lines not yet reported
        self.reader: _Lines | None = None
        self.size: int | None = None
        self.csv = False

    def report(self, line: int, message: str) -> None:
        """Print one bad line as ``cio-analytics import: FILE:LINE: reason``."""
        self.progress.clear()
        text = " ".join(_INDEX_PREFIX.sub("", message).split())
        print(f"cio-analytics import: {self.label}:{line}: {text}", file=sys.stderr)

    def show_progress(self, line: int, *, force: bool = False) -> None:
        """Redraw the progress line (on a terminal only)."""
        if not self.progress.enabled:
            return
        t = self.totals
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        percent = ""
        if self.size and self.reader is not None:
            percent = f" {min(100.0, 100.0 * self.reader.consumed / self.size):5.1f}%"
        verb = "valid" if self.args.dry_run else "delivered"
        self.progress.update(
            f"import{percent}  line {line:,}  {verb} "
            f"{t.delivered if not self.args.dry_run else t.sent:,}  invalid {t.invalid:,}  "
            f"failed {t.failed:,}  {t.lines / elapsed:,.0f} lines/s",
            force=force,
        )

    def send(self, chunk: list[tuple[int, Entry]]) -> None:
        """Send a chunk, then report its bad lines (and those read with it) in line order."""
        reports, self.pending = self.pending, []
        t = self.totals
        if chunk:
            self.resume_line = chunk[0][0]
            result = self.client.send_batch(
                [entry for _, entry in chunk],
                batch_size=self.args.batch_size,
                timeout=self.args.timeout,
            )
            invalid = 0
            for failure in result.failed:
                line = chunk[failure.index][0]
                if failure.invalid:
                    invalid += 1
                    reports.append((line, str(failure.error)))
                else:
                    t.failed += 1
                    reports.append((line, f"not delivered: {failure.error}"))
            t.invalid += invalid
            t.sent += len(chunk) - invalid
            t.delivered += result.delivered
            t.requests += result.requests
        for line, message in sorted(reports, key=lambda report: report[0]):
            self.report(line, message)
        self.resume_line = None
        if chunk:
            self.show_progress(chunk[-1][0], force=True)

    def run(self, rows: Iterator[Row]) -> None:
        """Read every row, reporting bad ones, and send the rest chunk by chunk."""
        chunk: list[tuple[int, Entry]] = []
        start_line = self.args.start_line
        t = self.totals
        for line, item in rows:
            t.lines += 1
            if line < start_line or item is None:
                t.skipped += 1
                continue
            if self.resume_line is None and not chunk:
                self.resume_line = line
            if isinstance(item, _Bad):
                t.invalid += 1
                self.pending.append((line, item.reason))
                continue
            chunk.append((line, item))
            if len(chunk) >= self.args.chunk_size:
                self.send(chunk)
                chunk = []
            else:
                self.show_progress(line)
        self.send(chunk)
        self.resume_line = None

    def summary(self, interrupted: bool) -> bool:
        """Print the summary to stdout; returns whether everything was delivered."""
        for line, message in sorted(self.pending, key=lambda report: report[0]):
            self.report(line, message)
        self.pending = []
        self.progress.clear()
        t = self.totals
        elapsed = time.perf_counter() - self.started
        dry = self.args.dry_run
        rows = [
            ("rows read" if self.csv else "lines read", t.lines, ""),
            ("skipped", t.skipped, "blank, or before --start-line"),
            ("invalid", t.invalid, "reported above with their line numbers" if t.invalid else ""),
            ("valid" if dry else "sent", t.sent, "dry run: nothing was sent" if dry else ""),
        ]
        if not dry:
            rows += [
                ("delivered", t.delivered, ""),
                ("failed", t.failed, "not delivered, reported above" if t.failed else ""),
                ("requests", t.requests, ""),
            ]
        print(f"import {self.label}: {'interrupted' if interrupted else 'done'}")
        for label, value, note in rows:
            text = f"  {label:<12}{value:>10,}"
            print(f"{text}   {note}" if note else text)
        rate = t.lines / elapsed if elapsed > 0 else 0.0
        print(f"  {'elapsed':<12}{elapsed:>8.2f} s   {rate:,.0f} lines/s")
        if interrupted and self.resume_line is not None:
            print(
                f"  resume with --start-line {self.resume_line} (lines from there may be "
                "sent again; their stable message ids let Customer.io drop the repeats)"
                if not self.args.random_ids
                else f"  resume with --start-line {self.resume_line}"
            )
        ok = not interrupted and t.invalid == 0 and t.failed == 0
        return ok and (dry or t.delivered == t.sent)


def _check_options(args: argparse.Namespace) -> None:
    """Refuse out-of-range numeric options (raises UsageError)."""
    if args.start_line < 1:
        raise UsageError(f"--start-line must be >= 1, got {args.start_line}")
    if args.chunk_size < 1:
        raise UsageError(f"--chunk-size must be >= 1, got {args.chunk_size}")
    if args.batch_size is not None and args.batch_size < 1:
        raise UsageError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout must be > 0, got {args.timeout:g}")
    if args.rate is not None and args.rate < 0:
        raise UsageError(f"--rate must be >= 0, got {args.rate:g}")


def _make_client(args: argparse.Namespace) -> Client:
    """The client the import sends through (raises UsageError or ConfigurationError)."""
    settings = resolve_settings(args)
    if not args.dry_run and settings.write_key is None:
        raise UsageError(
            f"no write key: set the {ENV_API_KEY} environment variable or pass "
            "--write-key (or use --dry-run to only validate the file)"
        )
    return Client(
        write_key=settings.write_key,
        host=settings.host,
        region=settings.region,
        send=not args.dry_run,
        rate_limit=args.rate,
        shutdown_timeout=1.0,
    )


def run_import(args: argparse.Namespace) -> int:
    """Import a JSON Lines or CSV file.

    Args:
        args: The parsed ``import`` options.

    Returns:
        0 when every line was delivered, 1 when some were not, 2 for bad input.
    """
    try:
        _check_options(args)
        file_format = _format_of(args)
        client = _make_client(args)
        handle = _open(args.file)
    except (UsageError, ConfigurationError) as exc:
        error("import", str(exc))
        return EXIT_USAGE
    return _import(args, client, handle, file_format)


def _import(args: argparse.Namespace, client: Client, handle: IO[bytes], file_format: str) -> int:
    """Read, send and sum up the open file; returns the exit status."""
    label = "<stdin>" if args.file == "-" else args.file
    importer = _Importer(args, client, label)
    interrupted = False
    try:
        reader = _Lines(handle)
        importer.reader = reader
        importer.size = _size(handle)
        stable = not args.random_ids
        importer.csv = file_format == "csv"
        rows = _jsonl_rows(reader, stable) if file_format == "jsonl" else _csv_rows(reader, stable)
        importer.run(rows)
    except UsageError as exc:
        importer.progress.clear()
        error("import", f"{label}: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
        client.shutdown(timeout=1.0)
    ok = importer.summary(interrupted)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if ok else EXIT_FAILURE
