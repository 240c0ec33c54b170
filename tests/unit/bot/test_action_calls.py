"""Rasa's action calls (bot/action_calls.py), in Rasa's own environment: once our tracker store is
imported, a reply from the action server is still checked against Rasa's schema, and a bad reply is
still refused with Rasa's message; only the schema's self-check is no longer repeated per call."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit import in_rasa

REPO = Path(__file__).resolve().parents[3]

PROGRAM = """
import asyncio, json, sys
sys.path.insert(0, {repo!r})
import bot.stores  # what Rasa imports at start (bot/endpoints.yml)
from bot import action_calls
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

REPLIES = {{
    "good": {{"events": [{{"event": "slot", "name": "lang", "value": "zh"}}], "responses": [{{"text": "你好"}}]}},
    "events not a list": {{"events": {{"event": "slot"}}, "responses": []}},
    "unknown event": {{"events": [{{"event": "no_such_event"}}], "responses": []}},
}}

async def main():
    out = {{"installed": action_calls.installed()}}
    domain = Domain.from_dict({{"slots": {{"lang": {{"type": "text", "mappings": [{{"type": "custom"}}]}}}}}})
    for name, reply in REPLIES.items():
        async def request(self, *a, _reply=reply, **k):
            return json.loads(json.dumps(_reply))
        EndpointConfig.request = request
        action = RemoteAction("action_probe", EndpointConfig("http://127.0.0.1:9/webhook"))
        tracker = DialogueStateTracker("c1", domain.slots)
        try:
            events = await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({{}}), tracker, domain)
            out[name] = [type(e).__name__ for e in events]
        except ValidationError as exc:
            out[name] = "refused: " + exc.message
    from jsonschema import validators
    cls = validators.validator_for(RemoteAction.action_response_format_spec())
    checks = []
    original = cls.check_schema
    cls.check_schema = classmethod(lambda c, schema, *a, **k: checks.append(1) or original(schema, *a, **k))
    for _ in range(20):
        action._validate_action_result(REPLIES["good"])
    out["schema_checks"] = len(checks)
    print(json.dumps(out))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def outcome() -> dict[str, object]:
    return in_rasa(PROGRAM.format(repo=str(REPO)))


def test_importing_the_tracker_store_installs_the_validator_built_once(outcome: dict[str, object]) -> None:
    assert outcome["installed"] is True


def test_a_good_reply_still_becomes_the_bot_message_and_the_slot(outcome: dict[str, object]) -> None:
    assert outcome["good"] == ["BotUttered", "SlotSet"]


@pytest.mark.parametrize("reply", ["events not a list", "unknown event"])
def test_a_reply_that_breaks_rasas_schema_is_still_refused_with_rasas_hint(outcome: dict[str, object], reply: str) -> None:
    refused = str(outcome[reply])
    assert refused.startswith("refused: ")
    assert "Failed to validate Action server response" in refused


def test_checking_a_reply_no_longer_rechecks_the_schema(outcome: dict[str, object]) -> None:
    # Rasa's own check validated its schema against the meta-schema on every call (25-40 ms here).
    assert outcome["schema_checks"] == 0
