"""Alembic migrations for aduan's database (SQLite and PostgreSQL)."""
