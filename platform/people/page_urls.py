"""The pages of newcomers, the coordinators' queue of requests for access, and a person's API
tokens; included at the site's root by deelbaar.urls."""

from django.urls import path

from people.views import newcomers as views
from people.views import tokens

app_name = "access"

urlpatterns = [
    path("cooperatives/<slug:slug>/joining/", views.joining, name="joining"),
    path("cooperatives/<slug:slug>/access-requests/", views.access_queue, name="access_queue"),
    path(
        "cooperatives/<slug:slug>/access-requests/<int:pk>/approve/",
        views.approve_access,
        name="approve_access",
    ),
    path(
        "cooperatives/<slug:slug>/access-requests/<int:pk>/decline/",
        views.decline_access,
        name="decline_access",
    ),
    path("accounts/tokens/", tokens.my_tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.revoke_my_token, name="revoke_token"),
]
