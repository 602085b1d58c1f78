"""The integrations' API under /api/v1/: each capability's module brings its own routes."""

from integrations.api import hooks, repositories, webhooks

urlpatterns = [*repositories.urlpatterns, *hooks.urlpatterns, *webhooks.urlpatterns]
