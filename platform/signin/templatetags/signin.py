"""The login page's button for the organisation's identity provider, only when one is set up."""

from django import template
from django.conf import settings

from signin import oidc

register = template.Library()


@register.inclusion_tag("signin/_identity_provider_button.html")
def identity_provider_button(next_url=""):
    return {
        "enabled": oidc.enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "next": next_url,
    }
