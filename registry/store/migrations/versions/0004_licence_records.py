"""Licences join labels, agreements and vocabularies as records of the registry.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _kinds(kinds: str) -> None:
    # SQLite cannot alter a constraint in place: batch mode copies the table (it has no triggers).
    with op.batch_alter_table("record", recreate="auto") as batch:
        batch.drop_constraint("ck_record_kind", type_="check")
        batch.create_check_constraint("ck_record_kind", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds("'label', 'agreement', 'vocabulary', 'licence'")


def downgrade() -> None:
    op.execute("DELETE FROM record WHERE kind = 'licence'")
    _kinds("'label', 'agreement', 'vocabulary'")
