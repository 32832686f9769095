"""Projections record the version of their tables' shape, so a stale read model is found and rebuilt.

Revision ID: 20261203_0003
Revises: 20261201_0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "20261203_0003"
down_revision = "20261201_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every generation installed before this had version 1 of its projection's shape.
    op.execute("ALTER TABLE projections ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0)")


def downgrade() -> None:
    op.execute("ALTER TABLE projections DROP COLUMN version")
