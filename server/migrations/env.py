"""alembic environment: the engine comes from server.db.upgrade (no alembic.ini)."""
from __future__ import annotations

from alembic import context

from server.db import metadata

engine = context.config.attributes["connection_engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    context.run_migrations()
