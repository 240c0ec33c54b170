"""Handoff: signed single-use links to the application portal, tickets for a person, service centres.

See ``README.md`` in this folder.
"""

from .centres import Referral, refer
from .portal import application_page, open_page, rejection_page
from .tickets import clean_transcript, summarise
from .tokens import (
    AUDIENCE,
    MAX_TTL_SECONDS,
    JtiStore,
    Signer,
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenReplayed,
    TokenWrongService,
    key_id,
)

__all__ = [
    "AUDIENCE",
    "MAX_TTL_SECONDS",
    "JtiStore",
    "Referral",
    "Signer",
    "TokenError",
    "TokenExpired",
    "TokenInvalid",
    "TokenReplayed",
    "TokenWrongService",
    "application_page",
    "clean_transcript",
    "key_id",
    "open_page",
    "refer",
    "rejection_page",
    "summarise",
]
