"""The agent console: tickets carry their conversation and agent; agent accounts and sessions.

This was the checked ``ALTER TABLE`` that ran on every open before Alembic. Files from the console's
version already have all of it and are stamped at this revision instead (``migrations.adopt``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for name in ("conversation_id", "agent", "taken_at", "closed_at"):
            batch.add_column(sa.Column(name, sa.Text()))
    op.create_index("tickets_conversation", "tickets", ["conversation_id", "status"])
    op.create_table(
        "agents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=True), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("role IN ('agent', 'supervisor')"),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id_hash", sa.Text(), primary_key=True),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("agent_sessions_agent", "agent_sessions", ["agent"])


def downgrade() -> None:
    op.drop_table("agent_sessions")
    op.drop_table("agents")
    op.drop_index("tickets_conversation", "tickets")
    # SQLite 3.35+ drops columns in place; a table rebuild would lose the unnamed CHECK constraint.
    with op.batch_alter_table("tickets", recreate="never") as batch:
        for name in ("closed_at", "taken_at", "agent", "conversation_id"):
            batch.drop_column(name)
