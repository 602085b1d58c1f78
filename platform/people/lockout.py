"""What a locked-out sign-in attempt gets, and whom axes counts (settings: AXES_*).

On /api/ the answer is 429 in the API's one error shape; elsewhere (the login page, the
admin's) a page that says in plain words why and until when, also with 429.
"""

import math

from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status

from deelbaar.api.exceptions import json_error_response

LOCKED_OUT_CODE = "locked_out"


def locked_out_message(minutes: int | None = None) -> str:
    return _(
        "Too many failed sign-ins for this account or from this address. Try again in "
        "%(minutes)s minutes."
    ) % {"minutes": minutes or settings.DEELBAAR_LOGIN_COOLOFF_MINUTES}


def locked_until(request, credentials=None):
    """When the lock ends: the cool-off counts from the last failure axes counted (attempts
    refused during the lock are not counted), not from this refused attempt."""
    from axes.models import AccessAttempt

    username = attempted_username(request, credentials)
    match = Q(ip_address=client_address(request))
    if username:
        match |= Q(username=username)
    last = AccessAttempt.objects.filter(match).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None):
    until = locked_until(request, credentials)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    minutes = math.ceil(seconds / 60)
    if request.path.startswith("/api/"):
        response = json_error_response(
            status.HTTP_429_TOO_MANY_REQUESTS, LOCKED_OUT_CODE, locked_out_message(minutes)
        )
    else:
        response = render(
            request,
            "people/locked_out.html",
            {
                "minutes": minutes,
                "until": timezone.localtime(until),
                "failures": settings.DEELBAAR_LOGIN_FAILURES,
            },
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    response["Retry-After"] = str(seconds)
    return response


def client_address(request) -> str:
    """The address counted: the connection's, or, behind DEELBAAR_TRUSTED_PROXIES proxies,
    the one the outermost of them saw (the rest of X-Forwarded-For is the client's to forge)."""
    proxies = settings.DEELBAAR_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def attempted_username(request, credentials) -> str | None:
    """The account name tried, compared without case (Django's user names are case sensitive,
    but an attacker must not get a fresh count by changing the case)."""
    username = None
    if credentials:
        username = credentials.get("username")
    if username is None:
        username = request.POST.get("username") if hasattr(request, "POST") else None
    return username.strip().casefold() if isinstance(username, str) else username
