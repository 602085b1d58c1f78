"""Who must use a second factor, and what a person has enrolled."""

from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from deelbaar.typing import Person


def second_factor_required(user: Person) -> bool:
    """Coordinators of any cooperative, staff and superusers must sign in with a second factor.

    Read once per request and kept on the user object (the middleware asks on every page).
    """
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_second_factor_required", None)
    if cached is None:
        cached = bool(user.is_staff or user.is_superuser or user.coordinator_roles.exists())
        user._second_factor_required = cached  # type: ignore[attr-defined]  # a memo for this request
    return bool(cached)


def has_second_factor(user: Person) -> bool:
    """Whether the person enrolled an authenticator app (confirmed)."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def authenticator(user: Person) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: Person) -> int:
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    return int(device.token_set.count()) if device else 0


def confirmed_devices(user: Person) -> list:
    return list(devices_for_user(user, confirmed=True))


RECOVERY_DEVICE_NAME = "recovery codes"
