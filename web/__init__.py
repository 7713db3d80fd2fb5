"""The triage web app (FastAPI + Jinja2): queue, complaints, public intake, API."""
