"""The operations and semantic helpers as `cio-analytics send` calls, with generated options.

Every call that ``import`` accepts in a ``call`` field can be sent from the
shell: the operations (``send add_device --user-id u1 --token t``) and the
helpers (``send ecommerce.order_completed --user-id u1 --order-id o-1
--total 9.5``). Each keyword argument becomes an option (``--order-id``);
its annotation says how the value is read: objects and lists as JSON,
numbers as numbers, flags as true/false, anything else as text.
"""

from __future__ import annotations

import argparse
import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from cio_analytics._spec.ecommerce import EcommerceEvents
from cio_analytics._spec.mobile import MobileEvents
from cio_analytics._spec.operations import OPERATIONS
from cio_analytics._spec.video import VideoEvents
from cio_analytics.cli.common import UsageError

__all__ = ["EXTRA_CALLS", "add_generated_options", "extra_call_help", "generated_kwargs"]

_FAMILIES: Final = {"ecommerce": EcommerceEvents, "video": VideoEvents, "mobile": MobileEvents}


def _extra_calls() -> dict[str, Callable[..., Any]]:
    calls: dict[str, Callable[..., Any]] = dict(OPERATIONS)
    for family, cls in _FAMILIES.items():
        for name, function in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                calls[f"{family}.{name}"] = function
    return calls


#: Call name -> the function whose signature gives its options.
EXTRA_CALLS: Final[Mapping[str, Callable[..., Any]]] = _extra_calls()


def _parameters(call: str) -> list[inspect.Parameter]:
    """The keyword arguments of a call (its first, ``self``, left out)."""
    parameters = list(inspect.signature(EXTRA_CALLS[call]).parameters.values())
    return [p for p in parameters[1:] if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _kind(annotation: object) -> str:
    """How an option's value is read, from its annotation: json, number, int, bool or text."""
    text = str(annotation)
    if any(word in text for word in ("Mapping", "Sequence", "dict[", "list[")):
        return "json"
    if "str" in text or "Any" in text:
        return "text"
    if "Number" in text or "float" in text:
        return "number"
    if "bool" in text:
        return "bool"
    if "int" in text:
        return "int"
    return "text"


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def extra_call_help(call: str) -> str:
    """The first line of the call's docstring, for ``send --help``."""
    doc = inspect.getdoc(EXTRA_CALLS[call]) or call
    return doc.splitlines()[0].rstrip(".")


def add_generated_options(parser: argparse.ArgumentParser, call: str) -> None:
    """Register one option per keyword argument of ``call``."""
    for parameter in _parameters(call):
        kind = _kind(parameter.annotation)
        required = parameter.default is inspect.Parameter.empty
        parser.add_argument(
            _option(parameter.name),
            dest=parameter.name,
            metavar=kind.upper() if kind != "text" else parameter.name.upper().split("_")[-1],
            required=required,
            help=f"{parameter.name} ({kind}{', required' if required else ''})",
        )


def _read(kind: str, value: str, option: str) -> Any:
    if kind == "json":
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{option} is not valid JSON: {exc.msg}") from None
    if kind in ("number", "int"):
        try:
            number = json.loads(value)
        except json.JSONDecodeError:
            number = None
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise UsageError(f"{option} must be a number, got {value!r}")
        if kind == "int" and not isinstance(number, int):
            raise UsageError(f"{option} must be an integer, got {value!r}")
        return number
    if kind == "bool":
        lowered = value.strip().lower()
        if lowered not in ("true", "false", "1", "0", "yes", "no"):
            raise UsageError(f"{option} must be true or false, got {value!r}")
        return lowered in ("true", "1", "yes")
    return value


def generated_kwargs(args: argparse.Namespace, call: str) -> dict[str, Any]:
    """The call's keyword arguments from the options given (raises UsageError)."""
    kwargs: dict[str, Any] = {}
    for parameter in _parameters(call):
        value = getattr(args, parameter.name, None)
        if value is not None:
            kind = _kind(parameter.annotation)
            kwargs[parameter.name] = _read(kind, value, _option(parameter.name))
    return kwargs
