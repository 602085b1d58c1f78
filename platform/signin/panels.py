"""The login page's button for the organisation's identity provider, only when one is set up:
signin's panel in the core's "login" spot (deelbaar.panels.SHELL), registered in
`SigninConfig.ready()`."""

from django.conf import settings

from signin import oidc


def identity_provider_button(context, obj):
    return "signin/_identity_provider_button.html", {
        "enabled": oidc.enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "next": context.get("next", ""),
    }
