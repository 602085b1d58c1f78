"""Holds a signed-in person at the second factor until they passed it.

After a password (or identity provider) sign-in, a person who must use a second factor
(coordinators, staff, superusers: `selectors.second_factor_required`) or who chose to enrol one
reaches no page until they entered a code: with an authenticator they are sent to the code page,
without one (only those who must) to the enrolment page, each returning to the page asked for.
A session on /api/ gets 403 `second_factor_required` in the API's error shape instead.

API tokens are not held here: a request carrying an Authorization header is left to the API's
token authentication (see docs/decisions/0006-second-factor.md for why).
Needs django_otp's OTPMiddleware before it (it sets `user.is_verified()`).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from deelbaar.api.exceptions import json_error_response
from signin.selectors.second_factor import has_second_factor, second_factor_required

# Paths a person between password and code may reach: entering a code, enrolling (only while
# they have no app: the view sees to that) and the new recovery codes, signing out, the
# identity provider's pages, the language switch. Not the account page: turning the second
# factor off or making codes needs a session that passed it.
EXEMPT_PREFIXES = (
    "/accounts/two-factor/verify/",
    "/accounts/two-factor/enrol/",
    "/accounts/two-factor/recovery-codes/",
    "/accounts/logout/",
    "/accounts/oidc/",
    "/i18n/",
    "/healthz",
)


# Whether the person has an app and must have one: found out at sign-in and kept in the session
# for a few minutes, so a page costs no queries for it. A person appointed coordinator while
# signed in is held within this time, and at once at their next sign-in.
STATE_SESSION_KEY = "signin.second_factor_state"
STATE_SECONDS = 300


def _remember(request, user) -> tuple[bool, bool]:
    enrolled = has_second_factor(user)
    required = second_factor_required(user)
    request.session[STATE_SESSION_KEY] = {
        "user": user.pk,
        "at": int(time.time()),
        "enrolled": enrolled,
        "required": required,
    }
    return enrolled, required


def _state(request) -> tuple[bool, bool]:
    kept = request.session.get(STATE_SESSION_KEY)
    fresh = kept and int(time.time()) - kept.get("at", 0) < STATE_SECONDS
    if fresh and kept.get("user") == request.user.pk:
        return kept["enrolled"], kept["required"]
    return _remember(request, request.user)


def remember_state(sender, request, user, **kwargs):
    """At every sign-in the question is asked afresh (a user_logged_in receiver)."""
    if request is not None and hasattr(request, "session"):
        _remember(request, user)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._hold(request)
        return response if response is not None else self.get_response(request)

    def _hold(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        path = request.path_info
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        if path.startswith(EXEMPT_PREFIXES):
            # The code page itself: its menu must not poll pages this session cannot reach yet
            # (the "Mijn werk" count would get 403 on every load); the navigation reads this.
            request.second_factor_pending = any(_state(request))
            return None
        if path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META:
            return None
        enrolled, required = _state(request)
        if not enrolled and not required:
            return None
        if request.headers.get("HX-Request"):
            # A part of a page (the menu's count, say) fetched by htmx: never the enrolment page
            # swapped into it. htmx leaves the page as it is on a 4xx.
            return HttpResponseForbidden()
        if path.startswith("/api/"):
            return json_error_response(
                403,
                "second_factor_required",
                _("Enter the code of your authenticator app on the site first."),
            )
        target = "signin:verify" if enrolled else "signin:enrol"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))
