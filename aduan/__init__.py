"""aduan: from citizens' posts to followed-up public-service complaints."""

__version__ = "0.1.0"
