"""Triage: the admins' queue and the actions on it (shared by web UI, CLI and tests)."""
