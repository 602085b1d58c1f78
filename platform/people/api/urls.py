"""The people app's routes, included under /api/v1/ by deelbaar.api.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from people.api import views

router = SimpleRouter()
router.register(
    r"organisations/(?P<organisation_id>[0-9]+)/people",
    views.OrganisationPeopleViewSet,
    basename="organisation-person",
)
router.register("invitations", views.InvitationViewSet, basename="invitation")

urlpatterns = [
    # Before the router's invitations/{id}/ so "accept" is never read as an id.
    path("invitations/accept/", views.AcceptView.as_view(), name="invitation-accept"),
    *router.urls,
]
