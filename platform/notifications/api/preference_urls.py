from django.urls import path

from notifications.api.preferences import PreferencesView

urlpatterns = [
    path(
        "me/notification-preferences/",
        PreferencesView.as_view(),
        name="notification-preferences",
    ),
]
