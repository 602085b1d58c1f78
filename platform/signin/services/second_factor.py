"""Enrolling, using and removing a second factor.

A person's second factor is one authenticator app (a django-otp TOTPDevice: RFC 6238, six
digits, 30 seconds) and a set of ten single-use recovery codes (a StaticDevice). Enrolment is
two steps: `start_enrolment` makes an unconfirmed device whose secret the page shows; only
`confirm_enrolment` with a code the app computed makes it count, replaces any earlier app and
hands out fresh recovery codes.
"""

import logging
import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from deelbaar.errors import Conflict, DomainError
from deelbaar.typing import User
from signin.selectors.second_factor import RECOVERY_DEVICE_NAME, second_factor_required

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator app"


class WrongCode(DomainError):
    default_code = "wrong_code"
    default_message = _(
        "That code is not right, or was used already. Wait a moment and try the next code."
    )


def _recovery_code() -> str:
    # Ten characters from an alphabet without look-alikes (0/O, 1/l/I), in two groups to read.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{code[:5]}-{code[5:]}"


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for `user` (the same one while enrolment is unfinished)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm `device` with a code from the app; return the person's new recovery codes.

    Any earlier authenticator of the person is removed: one app at a time.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        raise Conflict(_("This authenticator is already set up."))
    if not device.verify_token(_digits(token)):
        raise WrongCode(field="token")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("second factor enrolled for user %s", user.pk)
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Ten fresh single-use recovery codes; earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, user: User, token: str) -> Device:
    """The device that accepts `token` (an app's code or an unused recovery code), or WrongCode.

    django-otp throttles each device after failures (a growing delay), so codes cannot be
    guessed; a recovery code is used up by being accepted.
    """
    token = token.strip()
    candidate = _digits(token) if _digits(token).isdigit() else token.lower()
    device = match_token(user, candidate)
    if device is None:
        raise WrongCode(field="token")
    return device


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    """Remove the person's authenticator and recovery codes; refused where one is required."""
    if second_factor_required(user):
        raise Conflict(
            _(
                "Coordinators and administrators must keep a second factor; "
                "set up a new app instead."
            )
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _digits(token: str) -> str:
    return "".join(token.split())
