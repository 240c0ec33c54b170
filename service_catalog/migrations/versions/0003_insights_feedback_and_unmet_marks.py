"""Insights: citizens' ratings of answers (feedback) and supervisors' marks on unmet-need topics.

The tables are described in ``service_catalog/db_schema.py`` and used by ``insights/store.py``. A
database where an earlier store created them before this revision existed keeps them (``if_not_exists``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=False),
        sa.Column("answer_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=True),
        sa.Column("rating", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_hash", "answer_id", name="feedback_once_per_answer"),
        if_not_exists=True,
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"], if_not_exists=True)
    op.create_table(
        "unmet_marks",
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("marked_by", sa.String(length=64), nullable=False),
        sa.Column("marked_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("topic"),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("unmet_marks")
    op.drop_index("ix_feedback_created_at", "feedback")
    op.drop_table("feedback")
