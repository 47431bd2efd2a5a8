"""A draft's work in progress: what an editor saved that is not valid yet, kept beside the draft's content.

The content of a draft stays valid (every reader may parse it); the editor's working copy, with its
problems listed, lives in ``work`` until it becomes valid (then it is the content) or is discarded.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("standard_version") as table:
        table.add_column(sa.Column("work", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standard_version") as table:
        table.drop_column("work")
