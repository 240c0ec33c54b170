"""Baseline: tickets, handoff token ids, link handles and audit records, as before the agent console.

Files made by earlier versions (tables present, no ``alembic_version``) run this revision too: every
table and index is created only when missing, so what they hold is kept.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=True), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        _id(),
        sa.Column("number", sa.Text(), nullable=False, unique=True),
        sa.Column("day", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="open"),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("service_id", sa.Text()),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.UniqueConstraint("day", "seq"),
        sa.CheckConstraint("status IN ('open', 'closed')"),
        if_not_exists=True,
    )
    op.create_index("tickets_status_created", "tickets", ["status", "created_at"], if_not_exists=True)
    op.create_index("tickets_created", "tickets", ["created_at"], if_not_exists=True)
    op.create_table(
        "handoff_tokens",
        sa.Column("jti", sa.Text(), primary_key=True),
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger()),
        if_not_exists=True,
    )
    op.create_table(
        "handoff_handles",
        sa.Column("handle_hash", sa.Text(), primary_key=True),
        sa.Column("jti", sa.Text(), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger()),
        if_not_exists=True,
    )
    op.create_table(
        "audit",
        _id(),
        sa.Column("ts", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text()),
        sa.Column("service_id", sa.Text()),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        if_not_exists=True,
    )
    op.create_index("audit_kind_ts", "audit", ["kind", "ts"], if_not_exists=True)
    op.create_index("audit_ts", "audit", ["ts"], if_not_exists=True)


def downgrade() -> None:
    for table in ("audit", "handoff_handles", "handoff_tokens", "tickets"):
        op.drop_table(table)
