"""The cooperative app's routes, included under /api/v1/ by deelbaar.api.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cooperative.api import views
from cooperative.api.me import MeView

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("cooperatives", views.CooperativeViewSet, basename="cooperative")
# Nested under the cooperative by a named group in the prefix, which DRF's router supports.
router.register(
    r"cooperatives/(?P<cooperative_slug>[-a-zA-Z0-9_]+)/memberships",
    views.MembershipViewSet,
    basename="membership",
)
router.register("audit", views.AuditRecordViewSet, basename="audit-record")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
