"""Persistence: SQLAlchemy models, the database handle, Alembic migrations."""
