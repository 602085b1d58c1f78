"""Routes of the personal tokens API, included under /api/v1/ by deelbaar.api.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from people.api import tokens

router = SimpleRouter()
router.register("me/tokens", tokens.MyTokenViewSet, basename="my-token")

urlpatterns = [
    path("auth/token/", tokens.TokenView.as_view(), name="token"),
    *router.urls,
]
