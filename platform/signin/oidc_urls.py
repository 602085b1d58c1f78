"""The identity provider's two addresses. Their names are mozilla-django-oidc's own (it reverses
the callback's), outside any namespace."""

from django.urls import path

from signin import oidc

urlpatterns = [
    path(
        "authenticate/", oidc.AuthenticationRequestView.as_view(), name="oidc_authentication_init"
    ),
    path("callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
