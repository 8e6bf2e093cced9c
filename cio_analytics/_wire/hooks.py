"""Running ``before_send`` hooks on one message, at the call site.

A hook receives the message in its wire shape (a dict with the API's
camelCase keys, ``context.library`` included) and returns a dict to send
instead, or None to drop the message. What the last hook returns is checked
again, exactly like a direct call (a hook cannot smuggle in a value the
library would refuse). :func:`run_hooks` never lets a hook's exception
through: it becomes a :class:`HookFailure`, which the client counts, logs
once per hook and reports to ``on_error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cio_analytics._settings import Hook
from cio_analytics._wire.build import WireMessage, encode_message
from cio_analytics._wire.from_wire import build_from_wire
from cio_analytics._wire.messages import decode_message

__all__ = ["Hook", "HookFailure", "hook_name", "run_hooks"]

class HookFailure(Exception):
    """A hook raised, or returned something that is not a valid message.

    Attributes:
        hook: The hook at fault.
        cause: What it raised, or the error its result caused.
        message: The message as the hook received it.
    """

    def __init__(self, hook: Hook, cause: BaseException, message: dict[str, Any]) -> None:
        super().__init__(f"before_send hook {hook_name(hook)} failed: {cause}")
        self.hook = hook
        self.cause = cause
        self.message = message


def hook_name(hook: object) -> str:
    """A readable name for a hook (its qualified name, or its repr)."""
    name = getattr(hook, "__qualname__", None) or getattr(hook, "__name__", None)
    return str(name) if name else repr(hook)


def run_hooks(hooks: Sequence[Hook], message: WireMessage) -> WireMessage | None:
    """Apply ``hooks`` in order; the message to send, or None when a hook dropped it.

    Raises:
        HookFailure: A hook raised, returned something other than a dict or
            None, or returned a message the library refuses.
    """
    wire = decode_message(encode_message(message))
    for hook in hooks:
        given = wire
        try:
            result = hook(given)
        except Exception as exc:
            raise HookFailure(hook, exc, given) from exc
        if result is None:
            return None
        if not isinstance(result, dict):
            raise HookFailure(
                hook, TypeError(f"it returned {type(result).__name__}, not a dict or None"), given
            )
        wire = result
    try:
        return build_from_wire(wire, "the message before_send returned")
    except Exception as exc:  # the library's own errors, naming the key
        raise HookFailure(hooks[-1], exc, wire) from exc
