"""Integration tests run every service test on SQLite and, when configured, on PostgreSQL."""

import pytest


@pytest.fixture
def ctx(any_db_app):
    return any_db_app.extensions["hallq"]
