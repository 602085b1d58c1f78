"""The Celery app. In the embedded mode its tasks run eagerly in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")

app = Celery("deelbaar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue(name: str, *args, **kwargs):
    """Queue the job registered as `name`, as its task's `.delay(*args, **kwargs)` would (run
    at once in the embedded mode). By name, so a module that queues a job need not import the
    app's `tasks.py`, which imports the services that do the work: the modules of an app import
    each other without cycles (.importlinter)."""
    if name not in app.tasks:
        # Only a worker imports the apps' tasks.py on starting; a web process may not have yet.
        app.autodiscover_tasks(force=True)
    return app.tasks[name].delay(*args, **kwargs)
