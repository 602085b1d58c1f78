"""The notification centre, under /notifications/ (deelbaar.urls)."""

from django.urls import path

from notifications.views.centre import centre, mark_all_read, mark_read, unread

app_name = "notifications"
urlpatterns = [
    path("", centre, name="centre"),
    path("unread/", unread, name="unread"),
    path("read-all/", mark_all_read, name="mark_all_read"),
    path("<int:pk>/read/", mark_read, name="mark_read"),
]
