"""WSGI entry point, for tools that need one; Deelbaar itself is served over ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")

application = get_wsgi_application()
