"""The Celery app. In the embedded mode its tasks run eagerly in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")

app = Celery("deelbaar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
