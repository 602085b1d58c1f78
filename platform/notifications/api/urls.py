"""The notifications API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from notifications.api import views

router = SimpleRouter(use_regex_path=False)
router.register("me/notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
