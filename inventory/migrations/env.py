"""Alembic environment: runs migrations on the connection handed over by `inventory.postgis`."""

from alembic import context

from inventory.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
