"""Tickets: who the citizen asks for (``subject``), a field of its own instead of only a word in the summary.

A ticket opened for a citizen asking on behalf of someone else ("what about for my mother?") carried
the relation only in its summary line ("(for their mother) …"). The relation is now a column: the
agent console shows it and preselects it for the eligibility check. It is one word of a fixed list
(``eligibility.subjects.RELATIONS``), not personal data; it is deleted with the ticket by the same
retention. Tickets made before this revision keep NULL (for the citizen themself, or not known).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("subject", sa.Text(), nullable=True))  # ALTER TABLE ADD COLUMN on both engines


def downgrade() -> None:
    # Not op.batch_alter_table: on SQLite it rebuilds the table and drops its unnamed CHECK on status.
    # SQLite has had ALTER TABLE DROP COLUMN since 3.35 (Debian 12 and Python 3.10/3.11 ship 3.40).
    op.execute("ALTER TABLE tickets DROP COLUMN subject")
