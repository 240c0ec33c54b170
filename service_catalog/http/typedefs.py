"""Every piece of typed application state, declared once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from ..catalogue import Catalogue
from ..console.live import Hub
from ..console.rasa import RasaClient
from ..console.sms import SmsGateway
from ..db import Database
from ..handoff.tokens import Signer
from ..insights.events import EventLog
from ..insights.store import InsightsStore
from ..insights.unmet import TopicCache
from ..search.embedder import Embedder
from ..settings import Settings
from .metrics import Metrics
from .ratelimit import RateLimiter

if TYPE_CHECKING:
    from ..search.index import SearchIndex

__all__ = [
    "CATALOGUE",
    "DATABASE",
    "EMBEDDER",
    "EVENT_LOG",
    "EXECUTOR",
    "INSIGHTS_STORE",
    "LIMITER",
    "METRICS",
    "RASA",
    "REBUILD_EXECUTOR",
    "SETTINGS",
    "SIGNER",
    "SMS",
    "TICKET_EVENTS",
    "UNMET_CACHE",
    "CatalogueState",
]


@dataclass
class CatalogueState:
    """The catalogue and its search index, swapped together on reload."""

    catalogue: Catalogue
    index: SearchIndex | None = None
    loaded_at: float = 0.0


SETTINGS = web.AppKey("settings", Settings)
CATALOGUE = web.AppKey("catalogue", CatalogueState)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)  # queries: embedding and search
REBUILD_EXECUTOR = web.AppKey("rebuild_executor", ThreadPoolExecutor)  # catalogue reloads, one at a time
EMBEDDER = web.AppKey("embedder", Embedder)
DATABASE = web.AppKey("database", Database)
SIGNER = web.AppKey("signer", Signer)
LIMITER = web.AppKey("limiter", RateLimiter)
TICKET_EVENTS = web.AppKey("ticket_events", Hub)  # the agent console's live inbox
RASA = web.AppKey("rasa", RasaClient)  # Rasa's HTTP API, for taking over conversations
SMS = web.AppKey("sms", SmsGateway)  # a Protocol: any gateway
INSIGHTS_STORE = web.AppKey("insights_store", InsightsStore)  # feedback and topic marks (insights/store.py)
EVENT_LOG = web.AppKey("event_log", EventLog)  # Rasa's events, read from the broker's table
UNMET_CACHE = web.AppKey("unmet_cache", TopicCache)  # embeddings and topics of unmet questions
METRICS = web.AppKey("metrics", Metrics)  # this app's Prometheus registry and collectors
