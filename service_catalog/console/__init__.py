"""The 12345 hotline agent console's pure and client-side parts (see ``README.md`` in this folder).

The HTTP routes are in ``service_catalog/http/agent_auth.py``, ``routes_agent.py`` and
``routes_agent_tickets.py``; accounts and sessions in ``service_catalog/db_agents.py``.
"""

from .answer import ready_answer
from .live import Hub, citizen_messages, watch
from .passwords import MIN_PASSWORD, WeakPassword, check_password, hash_password, needs_rehash, verify_password
from .rasa import RasaClient
from .sms import HttpGateway, LoggingGateway, SmsGateway, make_gateway, mask_phone, normalise_phone

__all__ = [
    "MIN_PASSWORD",
    "HttpGateway",
    "Hub",
    "LoggingGateway",
    "RasaClient",
    "SmsGateway",
    "WeakPassword",
    "check_password",
    "citizen_messages",
    "hash_password",
    "make_gateway",
    "mask_phone",
    "needs_rehash",
    "normalise_phone",
    "ready_answer",
    "verify_password",
    "watch",
]
