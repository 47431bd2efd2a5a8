"""The registry of record: standard versions, records, the audit trail, and the triggers that guard them.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Published content may never change, whoever asks: the services, an import, or raw SQL.
_FROZEN = ("content", "content_sha256", "doc_id", "version", "category", "in_force_from", "in_force_until")

_SQLITE = [
    f"""CREATE TRIGGER standard_version_immutable BEFORE UPDATE ON standard_version
    WHEN OLD.state <> 'draft' AND ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FROZEN)} OR NEW.state = 'draft')
    BEGIN SELECT RAISE(ABORT, 'published content is immutable: make a new version'); END""",
    """CREATE TRIGGER standard_version_no_delete BEFORE DELETE ON standard_version
    WHEN OLD.state <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'published content is immutable: it cannot be deleted'); END""",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]

_POSTGRESQL = [
    f"""CREATE FUNCTION standard_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.state <> 'draft' THEN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'published content is immutable: it cannot be deleted';
        END IF;
        IF {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FROZEN)} OR NEW.state = 'draft' THEN
          RAISE EXCEPTION 'published content is immutable: make a new version';
        END IF;
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$""",
    """CREATE TRIGGER standard_version_immutable BEFORE UPDATE OR DELETE ON standard_version
    FOR EACH ROW EXECUTE FUNCTION standard_version_guard()""",
    """CREATE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_guard()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_guard()""",
]


def upgrade() -> None:
    op.create_table(
        "standard_version",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("doc_id", sa.String(80), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("category", sa.String(80), nullable=False),
        sa.Column("in_force_from", sa.Date),
        sa.Column("in_force_until", sa.Date),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("lock_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("published_by", sa.String(120)),
        sa.UniqueConstraint("doc_id", "version", name="uq_standard_version"),
        sa.CheckConstraint("state IN ('draft', 'published', 'superseded', 'withdrawn')", name="ck_standard_state"),
    )
    op.create_index("ix_standard_version_doc_id", "standard_version", ["doc_id"])
    op.create_index("ix_standard_version_category_state", "standard_version", ["category", "state"])
    op.create_table(
        "record",
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("doc_id", sa.String(80), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("lock_version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.UniqueConstraint("kind", "doc_id", name="uq_record"),
        sa.CheckConstraint("kind IN ('label', 'agreement', 'vocabulary')", name="ck_record_kind"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("doc_id", sa.String(80), nullable=False),
        sa.Column("version", sa.String(40)),
        sa.Column("before_sha256", sa.String(64)),
        sa.Column("after_sha256", sa.String(64)),
        sa.Column("diff", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("entry_hash", sa.String(64), nullable=False, unique=True),
    )
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_entry, record, standard_version")
        op.execute("DROP FUNCTION audit_entry_guard(), standard_version_guard()")
    else:
        for table in ("audit_entry", "record", "standard_version"):
            op.drop_table(table)
