"""/api/v1/: the routes of every app's API, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from deelbaar.api.schema import SchemaView
from deelbaar.api.views import MeView, TokenView

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    path("", include("cooperative.api.urls")),
    path("", include("sprints.api.urls")),
    path("", include("solutions.api.urls")),
    path("", include("integrations.api.urls")),
]
