"""Practice sessions on the class server: each session's kind (play or practice) and speed.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions uploaded before practice reached the server were all played songs at 1x.
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="play"))
        batch.add_column(sa.Column("speed", sa.Float, nullable=False, server_default="1.0"))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("speed")
        batch.drop_column("kind")
