"""The second factor's pages: the account page, enrolment, recovery codes and the code page.

Thin: each calls one service in signin.services. Every page needs a signed-in person; the
middleware lets a person who has not yet passed the second factor reach only these.
"""

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from deelbaar.errors import DomainError
from signin import selectors, services
from signin.forms import AppCodeForm, CodeForm

NEW_CODES_SESSION_KEY = "signin.new_recovery_codes"
ISSUER_NAME = "Deelbaar"


def _next_url(request, default="signin:account"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
def account(request):
    user = request.user
    return render(
        request,
        "signin/account.html",
        {
            "enrolled": selectors.has_second_factor(user),
            "required": selectors.second_factor_required(user),
            "codes_left": selectors.recovery_codes_left(user),
        },
    )


def _provisioning(device: TOTPDevice, user) -> dict:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    label = f"{ISSUER_NAME}:{user.get_username()}"
    otpauth = (
        f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER_NAME}"
        f"&digits={device.digits}&period={device.step}"
    )
    qr = segno.make(otpauth, error="m")
    return {
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
    }


@login_required
def enrol(request):
    user = request.user
    if selectors.has_second_factor(user) and not user.is_verified():
        # Replacing the app needs the old one first: a password alone must not enrol a new app.
        return redirect(reverse("signin:verify") + "?next=" + reverse("signin:enrol"))
    device = services.start_enrolment(user=user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrolment(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except DomainError as error:
            form.add_error("token", str(error.message))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Your authenticator app is set up."))
            next_url = _next_url(request)
            return redirect(reverse("signin:recovery_codes") + "?next=" + next_url)
    return render(
        request,
        "signin/enrol.html",
        {
            "form": form,
            "required": selectors.second_factor_required(user),
            "replacing": selectors.has_second_factor(user),
            "next": _next_url(request),
            **_provisioning(device, user),
        },
    )


@login_required
def recovery_codes(request):
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("signin:verify")
        request.session[NEW_CODES_SESSION_KEY] = services.new_recovery_codes(user=request.user)
        return redirect("signin:recovery_codes")
    # Shown once: a reload or a later visit shows how many are left, never the codes.
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "signin/recovery_codes.html",
        {
            "codes": codes,
            "codes_left": selectors.recovery_codes_left(request.user),
            "next": _next_url(request),
        },
    )


@login_required
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not selectors.has_second_factor(user):
        return redirect(reverse("signin:enrol") + "?next=" + _next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify(user=user, token=form.cleaned_data["token"])
        except DomainError as error:
            form.add_error("token", str(error.message))
        else:
            otp_login(request, device)
            if device.name == selectors.RECOVERY_DEVICE_NAME:
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(count)s are left. "
                        "Make new ones on your account page."
                    )
                    % {"count": selectors.recovery_codes_left(user)},
                )
            return redirect(_next_url(request))
    return render(request, "signin/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def remove(request):
    try:
        services.remove_second_factor(user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your second factor is removed."))
    return redirect("signin:account")
