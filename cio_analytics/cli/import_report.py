"""What ``cio-analytics import`` tells the user while it runs: bad lines and the progress line.

- :class:`ErrorLog`: each bad line as ``FILE:LINE: reason`` on stderr, but a
  reason repeated by many lines is printed for its first few lines only, then
  counted: ``... and 9,412 more like this (lines 12-999,800): reason``.
- :func:`progress_text`: the one-line progress display, with the share of the
  input read, the rate, an ETA and, while a chunk is being retried, that it is.

While a chunk is being sent, the importer's wait redraws the line every
quarter second (:meth:`cio_analytics.cli.background.Background.result`), so a
long retry does not look like a frozen import.
"""

from __future__ import annotations

import re
import sys
from typing import Final, TextIO

from cio_analytics.cli.common import Progress

__all__ = ["ErrorLog", "format_duration", "progress_text"]

_INDEX_PREFIX: Final = re.compile(r"^messages\[\d+\]:?\s*")


class ErrorLog:
    """Prints bad lines, collapsing a reason that many lines share.

    Args:
        label: The file's name, as printed before each line number.
        progress: The progress line to clear before printing.
        show_each: Lines printed per distinct reason before the rest are counted.
        max_printed: Lines printed in all, whatever the reasons.
        max_summaries: "more like this" lines printed at the end at most.
        stream: Where to print (stderr by default).
    """

    def __init__(
        self,
        label: str,
        progress: Progress,
        *,
        show_each: int = 3,
        max_printed: int = 1000,
        max_summaries: int = 20,
        stream: TextIO | None = None,
    ) -> None:
        self._label = label
        self._progress = progress
        self._show_each = show_each
        self._max_printed = max_printed
        self._max_summaries = max_summaries
        self._stream = stream
        self._counts: dict[str, int] = {}
        self._hidden: dict[str, list[int]] = {}  # reason -> [count, first line, last line]
        self.printed = 0

    def report(self, line: int, message: str) -> None:
        """Print (or count) one bad line."""
        text = " ".join(_INDEX_PREFIX.sub("", message).split())
        seen = self._counts.get(text, 0) + 1
        self._counts[text] = seen
        if seen <= self._show_each and self.printed < self._max_printed:
            self._progress.clear()
            self._print(f"{self._label}:{line}: {text}")
            self.printed += 1
            return
        hidden = self._hidden.get(text)
        if hidden is None:
            self._hidden[text] = [1, line, line]
        else:
            hidden[0] += 1
            hidden[2] = line

    def finish(self) -> None:
        """Print how many lines each collapsed reason stood for."""
        if not self._hidden:
            return
        self._progress.clear()
        ranked = sorted(self._hidden.items(), key=lambda item: -item[1][0])
        for text, (count, first, last) in ranked[: self._max_summaries]:
            where = f"line {first:,}" if first == last else f"lines {first:,}-{last:,}"
            self._print(f"{self._label}: ... and {count:,} more like this ({where}): {text}")
        rest = ranked[self._max_summaries :]
        if rest:
            lines = sum(count for _, (count, _, _) in rest)
            self._print(
                f"{self._label}: ... and {lines:,} more bad lines, for {len(rest):,} other reasons"
            )
        self._hidden.clear()

    def _print(self, text: str) -> None:
        print(f"cio-analytics import: {text}", file=self._stream or sys.stderr)


def format_duration(seconds: float) -> str:
    """``45s``, ``3m12s``, ``2h05m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def progress_text(
    *,
    line: int,
    verb: str,
    done: int,
    invalid: int,
    failed: int,
    lines_per_second: float,
    fraction: float | None,
    eta: float | None,
    retrying: str | None,
) -> str:
    """The progress line.

    Args:
        line: The last line read.
        verb: ``delivered`` (or ``valid`` for a dry run).
        done: Lines delivered (or found valid).
        invalid: Lines refused before sending.
        failed: Lines not delivered.
        lines_per_second: The rate so far.
        fraction: The share of the input read (None when its size is unknown).
        eta: Seconds left at this rate (None when unknown).
        retrying: What the retries are doing, when a chunk is being retried.
    """
    percent = "" if fraction is None else f" {min(100.0, 100.0 * fraction):5.1f}%"
    text = (
        f"import{percent}  line {line:,}  {verb} {done:,}  invalid {invalid:,}  "
        f"failed {failed:,}  {lines_per_second:,.0f} lines/s"
    )
    if eta is not None:
        text += f"  ETA {format_duration(eta)}"
    if retrying:
        text += f"  {retrying}"
    return text
