"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from server.storage.models import Base


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_archive_migration_downgrades_without_losing_history(ctx, database_url):
    """0012's downgrade brings archived events and print jobs back into the hot tables first."""
    from server.services import tickets as ts
    from tests.helpers import principal

    kiosk = principal(ctx, "kiosk")
    for code in ("A", "B"):
        ts.issue_ticket(ctx, kiosk, code)
    ctx.db.dispose()
    from alembic import command
    from sqlalchemy import text

    from server.storage.migrate import alembic_config, upgrade

    engine = create_engine(database_url)
    cols = "id, hall_id, seq, type, at, actor_user_id, actor_role, window_id, ticket_id, data"
    with engine.begin() as conn:
        total = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
        assert total > 1
        first = conn.execute(text("SELECT min(id) FROM events")).scalar_one()
        conn.execute(
            text(f"INSERT INTO events_archive ({cols}) SELECT {cols} FROM events WHERE id = {first}")
        )
        conn.execute(text(f"DELETE FROM events WHERE id = {first}"))
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0011")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == total
    engine.dispose()
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
