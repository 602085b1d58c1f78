"""E-mail preferences and the unsubscribe link of every mail, under /notifications/
(deelbaar.urls)."""

from django.urls import path

from notifications.views.mail import preferences, unsubscribe

app_name = "notification_mail"
urlpatterns = [
    path("preferences/", preferences, name="preferences"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
