"""The catalogue database's tables as SQLAlchemy Core objects: the one description of the schema.

``Database`` (``db.py``, ``db_agents.py``) builds every statement from these objects, so the SQL is
rendered for the engine in use (SQLite or PostgreSQL) by SQLAlchemy, never by string rewriting.
The Alembic revisions in ``migrations/versions/`` create the same schema step by step; a test
(``tests/unit/service_catalog/test_db_migrations.py``) compares the migrated database with this
module on both engines, so the two cannot drift apart. Change a table here *and* add a revision.

Tables::

    tickets         number "T20261201-0001" (per-day sequence, Shanghai time), status open|closed,
                    lang, channel, service_id, summary, transcript JSON, answers JSON,
                    conversation_id, agent, taken_at, closed_at (the agent console's queue),
                    subject (who the citizen asks for: a relation such as mother, NULL for themself)
    handoff_tokens  jti (primary key), service_id, issued_at, expires_at, used_at (NULL until redeemed)
    handoff_handles handle_hash (SHA-256 of the link's opaque handle; the handle itself is never
                    stored), jti, service_id, token (the signed token, emptied once redeemed),
                    expires_at, used_at
    audit           ts, kind, channel, service_id, outcome, detail JSON (personal data masked)
    agents          name (unique), role agent|supervisor, Argon2id password hash, disabled
    agent_sessions  the SHA-256 of a console session id (never the id), agent, created, last seen
    feedback        citizens' ratings of answers (insights/store.py reads and writes them)
    unmet_marks     supervisors' marks on unmet-need topics (insights/store.py)

Times are ISO 8601 text in UTC where people read them (tickets, audit) and epoch seconds where
they are compared with token expiries; JSON is stored as text (portable, and SQLite has no JSON type).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Identity, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

__all__ = ["TICKET_COLUMNS", "agent_sessions", "agents", "audit", "feedback", "handoff_handles", "handoff_tokens", "metadata", "tickets", "unmet_marks"]

# Constraints stay unnamed, as in the files of earlier versions: each engine names them its own way
# (PostgreSQL: tickets_number_key, tickets_status_check), the same for new and adopted databases.
metadata = MetaData()


def _id() -> Column[int]:
    # SQLite: INTEGER PRIMARY KEY (the rowid); PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY (as before Alembic).
    return Column("id", BigInteger().with_variant(Integer(), "sqlite"), Identity(always=True), primary_key=True)


tickets = Table(
    "tickets",
    metadata,
    _id(),
    Column("number", Text, nullable=False, unique=True),
    Column("day", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="open"),
    Column("lang", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("service_id", Text),
    Column("summary", Text, nullable=False),
    Column("transcript", Text, nullable=False),
    Column("answers", Text, nullable=False),
    Column("conversation_id", Text),
    Column("agent", Text),
    Column("taken_at", Text),
    Column("closed_at", Text),
    Column("subject", Text),  # who the citizen asks for (eligibility.subjects.RELATIONS); NULL: for themself
    UniqueConstraint("day", "seq"),
    CheckConstraint("status IN ('open', 'closed')"),
    Index("tickets_status_created", "status", "created_at"),
    Index("tickets_created", "created_at"),
    Index("tickets_conversation", "conversation_id", "status"),
)

# The columns a ``Ticket`` is built from, in its field order.
TICKET_COLUMNS = tuple(
    tickets.c[name]
    for name in (
        "number",
        "created_at",
        "status",
        "lang",
        "channel",
        "service_id",
        "summary",
        "transcript",
        "answers",
        "conversation_id",
        "agent",
        "taken_at",
        "closed_at",
        "subject",
    )
)

handoff_tokens = Table(
    "handoff_tokens",
    metadata,
    Column("jti", Text, primary_key=True),
    Column("service_id", Text, nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
)

handoff_handles = Table(
    "handoff_handles",
    metadata,
    Column("handle_hash", Text, primary_key=True),
    Column("jti", Text, nullable=False),
    Column("service_id", Text, nullable=False),
    Column("token", Text, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
)

audit = Table(
    "audit",
    metadata,
    _id(),
    Column("ts", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("channel", Text),
    Column("service_id", Text),
    Column("outcome", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Index("audit_kind_ts", "kind", "ts"),
    Index("audit_ts", "ts"),
)

agents = Table(
    "agents",
    metadata,
    _id(),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled", Integer, nullable=False, server_default="0"),
    CheckConstraint("role IN ('agent', 'supervisor')"),
)

agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("id_hash", Text, primary_key=True),
    Column("agent", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("agent_sessions_agent", "agent"),
)

# Insights (migration 0003). Named constraints, as that revision created them.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_hash", String(64), nullable=False),
    Column("answer_id", String(64), nullable=False),
    Column("service_id", String(120)),
    Column("rating", String(4), nullable=False),
    Column("reason", String(20)),
    Column("lang", String(2), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("created_at", String(40), nullable=False, index=True),
    UniqueConstraint("conversation_hash", "answer_id", name="feedback_once_per_answer"),
    CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"),
)

unmet_marks = Table(
    "unmet_marks",
    metadata,
    Column("topic", String(32), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("label", String(300), nullable=False),
    Column("marked_by", String(64), nullable=False),
    Column("marked_at", String(40), nullable=False),
)
