"""A search turn's head start: the NLU asks the catalogue service to embed the words before Rasa asks for the turn.

Why: in a search turn, embedding the person's words is the largest single cost (about 9 ms of one
core), and it used to start only when the action server called ``POST /api/search/turn``, about
9 ms after the NLU had read the message: Rasa then still runs its policies, calls the action server
for the reply language, runs its policies again and calls the search action. This component sits
last in the NLU pipeline. When the intent it finds is one whose next action is the search turn
(``intents``, by default those of ``nlu_data/rules/search.yml``), it hands the text to a sender
(a task on Rasa's event loop, ``_Sender``) that posts it to ``POST /api/search/prepare``, and
returns at once. The catalogue service embeds
the words on its own core meanwhile, and the search turn finds the vector ready or being made
(``service_catalog/search/index.py``, ``SearchIndex.encode``); docs/search.md, "Speed of a search
turn", has the figures.

Only an optimisation, so every failure is swallowed and nothing waits for it: a full queue drops the
text, a refused or failed request is logged at debug level, and the search turn embeds the words
itself. It is active only where the stack gives Rasa the catalogue's address and the service
credential (``CATALOG_URL``, ``CATALOG_INTERNAL_TOKEN_CURRENT``): training, ``rasa test`` and
``rasa shell`` leave it idle.

Personal data: the text goes only to the catalogue service, on the internal network, with the
service credential; it is neither stored nor logged there or here. ``X-Search-Key`` (a hash of the
text) lets a balancer send the prepare request and the search turn on the same words to the same
catalogue replica (scripts/scaled.py).
"""

# Rasa checks a graph component's annotations against its own, which use typing's Dict, List and Text.
# ruff: noqa: UP006, UP019, UP035, UP045
from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
from typing import Any, Dict, List, Optional, Set, Text

from common.search_key import MAX_TEXT, search_key
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

__all__ = ["PrepareSearch"]

log = logging.getLogger(__name__)

QUEUE_SIZE = 8  # texts waiting to be sent; more are dropped (the catalogue skips them when busy anyway)
TIMEOUT_S = 1.0  # the catalogue answers at once (202); a slower answer means it is busy, so give up


class _Sender:
    """Sends the texts it is handed, without making the caller wait.

    Inside Rasa's event loop (a served model) a text becomes a task on that loop, sent with a
    kept-alive aiohttp session as soon as the loop next waits, which is when Rasa sends its next
    action call, under a millisecond later. A background thread would wait for the interpreter lock
    while Rasa's own code runs, up to 5 ms (Python's switch interval). Outside a loop (a model used
    from a script), one daemon thread with a kept-alive session sends them, oldest first.
    """

    def __init__(self, url: str, token: str) -> None:
        self._url = url.rstrip("/") + "/api/search/prepare"
        self._token = token
        self._texts: queue.Queue[str] = queue.Queue(maxsize=QUEUE_SIZE)
        self._thread: Optional[threading.Thread] = None
        self._sessions: Dict[int, Any] = {}  # one aiohttp session per event loop
        self._tasks: Set[asyncio.Task[None]] = set()

    def offer(self, text: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            if len(self._tasks) >= QUEUE_SIZE:
                log.debug("search not prepared ahead: %d texts already being sent", QUEUE_SIZE)
                return
            task = loop.create_task(self._post(loop, text))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="prepare-search", daemon=True)
            self._thread.start()
        try:
            self._texts.put_nowait(text)
        except queue.Full:
            log.debug("search not prepared ahead: %d texts already waiting", QUEUE_SIZE)

    def _headers(self, text: str) -> Dict[str, str]:
        return {"X-Internal-Token": self._token, "X-Search-Key": search_key(text)}

    async def _post(self, loop: asyncio.AbstractEventLoop, text: str) -> None:
        import aiohttp

        session = self._sessions.get(id(loop))
        if session is None or session.closed:
            session = self._sessions[id(loop)] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        try:
            async with session.post(self._url, json={"text": text}, headers=self._headers(text)) as answer:
                if answer.status != 202:
                    log.debug("search not prepared ahead: the catalogue answered %d", answer.status)
        except Exception as exc:  # an optimisation: the search turn embeds the words itself
            log.debug("search not prepared ahead: %s", type(exc).__name__)

    def _run(self) -> None:
        import requests

        session = requests.Session()
        while True:
            text = self._texts.get()
            try:
                answer = session.post(self._url, json={"text": text}, headers=self._headers(text), timeout=TIMEOUT_S)
                if answer.status_code != 202:
                    log.debug("search not prepared ahead: the catalogue answered %d", answer.status_code)
            except Exception as exc:  # an optimisation: the search turn embeds the words itself
                log.debug("search not prepared ahead: %s", type(exc).__name__)


_senders: Dict[str, _Sender] = {}
_senders_lock = threading.Lock()


def _sender(url: str, token: str) -> _Sender:
    """One sender per catalogue address and process (Rasa may load the model more than once)."""
    with _senders_lock:
        if url not in _senders:
            _senders[url] = _Sender(url, token)
        return _senders[url]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PrepareSearch(GraphComponent):
    """Last in the NLU pipeline: hands a message whose next action is the search turn to the catalogue early."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The intents that nlu_data/rules/search.yml answers with action_search_services.
        return {"intents": ["find_service", "nlu_fallback", "out_of_scope"]}

    def __init__(self, config: Dict[Text, Any], sender: Optional[_Sender]) -> None:
        self._intents = frozenset(config.get("intents") or ())
        self._sender = sender

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext) -> PrepareSearch:
        url, token = os.environ.get("CATALOG_URL", ""), os.environ.get("CATALOG_INTERNAL_TOKEN_CURRENT", "")
        return cls(config, _sender(url, token) if url and token else None)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._sender is None:
            return messages
        for message in messages:
            intent = (message.get("intent") or {}).get("name")
            text = (message.get("text") or "").strip()[:MAX_TEXT]
            if intent in self._intents and text and not text.startswith("/"):
                self._sender.offer(text)
        return messages
