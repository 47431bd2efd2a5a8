"""Signed-in sessions as rows (a user lists theirs and ends any one), replacing the session number.

Sessions signed in before this revision end: their cookies carry no session key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("user_pk", sa.Integer, sa.ForeignKey("app_user.pk"), nullable=False),
        sa.Column("key_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_user_session_user_pk", "user_session", ["user_pk"])
    with op.batch_alter_table("app_user") as table:
        table.drop_column("session_version")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as table:
        table.add_column(sa.Column("session_version", sa.Integer, nullable=False, server_default="1"))
    op.drop_index("ix_user_session_user_pk", "user_session")
    op.drop_table("user_session")
