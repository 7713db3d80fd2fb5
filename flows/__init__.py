"""Prefect flows: thin orchestration over plain functions in collectors/ and classifier/."""
