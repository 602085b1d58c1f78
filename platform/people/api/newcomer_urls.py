"""Routes of the newcomers API, included under /api/v1/ by deelbaar.api.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from people.api import newcomers

router = SimpleRouter()
router.register(
    r"cooperatives/(?P<cooperative_slug>[-a-zA-Z0-9_]+)/access-requests",
    newcomers.AccessRequestViewSet,
    basename="access-request",
)

urlpatterns = [
    path(
        "cooperatives/<slug:cooperative_slug>/contribution-quote/",
        newcomers.ContributionQuoteView.as_view(),
        name="contribution-quote",
    ),
    path(
        "cooperatives/<slug:cooperative_slug>/contribution-quote/<int:organisation_id>/",
        newcomers.OrganisationQuoteView.as_view(),
        name="organisation-contribution-quote",
    ),
    *router.urls,
]
