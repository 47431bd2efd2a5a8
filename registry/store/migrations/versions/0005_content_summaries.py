"""Summaries of standard contents by hash, so a fresh process lists every standard without parsing them.

The table is derived data (``models.ContentSummary``): readers fill it as they meet content without a
summary, so it starts empty and needs no backfill here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_summary",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("format", sa.Integer, primary_key=True),
        sa.Column("summary", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("content_summary")
