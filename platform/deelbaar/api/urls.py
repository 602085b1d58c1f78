"""/api/v1/: the routes of every app's API, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from deelbaar.api.schema import SchemaView

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Signing in for a token (auth/token/) and a person's own tokens (me/tokens/).
    path("", include("people.api.token_urls")),
    # What joining costs (public) and the coordinators' queue of requests for access.
    path("", include("people.api.newcomer_urls")),
    path("", include("cooperative.api.urls")),
    path("", include("people.api.urls")),
    path("", include("sprints.api.urls")),
    path("", include("solutions.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("notifications.api.preference_urls")),
]
