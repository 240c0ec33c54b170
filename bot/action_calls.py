"""Rasa checks each action server reply against a validator built once, not rebuilt on every call.

Every custom action call ends in ``RemoteAction._validate_action_result``, which calls
``jsonschema.validate(reply, schema)``. That function first checks the *schema itself* against
JSON Schema's meta-schema (``check_schema``), and Rasa's reply schema lists every event type, so
that self-check takes about 25-40 ms of CPU on this machine, every call. Checking the reply takes
under 1 ms. Every turn makes at least one action call (``action_validate_slot_mappings`` sets the
reply language), and a search turn makes two, so the self-check cost more than Rasa's NLU did
(``benchmarks/rasa_profile.py``; docs/operations.md, "The cost of a turn").

:func:`install` replaces the method with one that checks Rasa's schema once, builds the
validator once, and validates each reply with it. A reply is accepted or refused exactly as
before: the same schema, the same validator class (the one ``jsonschema.validate`` picks for
it), and the same error (``best_match``, as ``validate`` raises) with Rasa's hint appended.

Why a patch: Rasa 3.6 has no setting for this and builds ``RemoteAction`` itself, so there is
no subclass to register. It is installed when Rasa imports our tracker store (``bot/stores.py``),
which every configuration of ours loads at start (``bot/endpoints*.yml``). ``install`` is
idempotent and refuses to run on a Rasa whose method it does not recognise, so an upgrade of
Rasa cannot silently lose a check.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions import action as rasa_action

__all__ = ["install", "installed"]

_MARK = "_built_once"
_EXPECTED = "_validate_action_result"


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: rasa_action.RemoteAction, result: dict[str, Any]) -> bool:
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {rasa_action.DOCS_BASE_URL}/custom-actions"
    )
    raise error


setattr(_validate_action_result, _MARK, True)


def installed() -> bool:
    """Whether Rasa's action calls use the validator built once."""
    return bool(getattr(rasa_action.RemoteAction._validate_action_result, _MARK, False))


def install() -> None:
    """Make Rasa validate action server replies with a validator built once (see the module's docstring)."""
    if installed():
        return
    if not callable(getattr(rasa_action.RemoteAction, _EXPECTED, None)):
        raise RuntimeError(f"this Rasa's RemoteAction has no {_EXPECTED}: bot/action_calls.py needs updating")
    _validator()  # a broken schema fails here, at start, not on the first turn
    rasa_action.RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
