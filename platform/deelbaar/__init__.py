"""The Deelbaar Django project: settings, URLs, the ASGI and Celery apps and the CLI."""

from .celery import app as celery_app

__all__ = ["celery_app"]
