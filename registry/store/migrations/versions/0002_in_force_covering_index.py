"""A covering index for the in-force lookup: category, state, dates and content hash.

The qualification checker asks which adopted versions of a category are in force on a day and
reads only their hashes. With the hash and dates in the index, SQLite and PostgreSQL answer
from the index alone, without touching the rows (whose large content would otherwise be read
past on SQLite). It replaces the (category, state) index, of which it is an extension.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["category", "state", "in_force_from", "in_force_until", "content_sha256"]


def upgrade() -> None:
    op.create_index("ix_standard_version_in_force", "standard_version", COLUMNS)
    op.drop_index("ix_standard_version_category_state", table_name="standard_version")


def downgrade() -> None:
    op.create_index("ix_standard_version_category_state", "standard_version", ["category", "state"])
    op.drop_index("ix_standard_version_in_force", table_name="standard_version")
