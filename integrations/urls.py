"""The integrations' pages: each capability's module brings its own routes."""

from integrations.views import repositories, webhooks

app_name = "integrations"

urlpatterns = [*repositories.urlpatterns, *webhooks.urlpatterns]
