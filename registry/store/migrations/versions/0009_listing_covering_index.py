"""A covering index for the listing: every version's id, version, state, category, content hash and lock.

A reader lists every stored version when it starts (``StoreReader.refresh``). Without this index SQLite
reads those six columns by walking the whole table, past every row's content (300 MB at 10,000 standards:
about 0.1 s); with it, the listing is read from the index alone (about 0.01 s).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ["doc_id", "version", "state", "category", "content_sha256", "lock_version"]


def upgrade() -> None:
    op.create_index("ix_standard_version_listing", "standard_version", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_standard_version_listing", table_name="standard_version")
