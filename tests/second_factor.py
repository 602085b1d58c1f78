"""The second factor in tests: devices for people who must have one, and codes to sign in with.

`Client.force_login()` (and `Client.login()`) stand in for a person who typed their password;
tests/conftest.py makes them stand in for the whole sign-in, second factor included, for people
who need one (coordinators, staff, superusers, or anyone enrolled). Tests of the second factor
itself sign in through the real login form instead, which is held at the code page.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.selectors import has_second_factor, second_factor_required

TEST_CODES_DEVICE = "test codes"


def ensure_second_factor(user) -> TOTPDevice:
    """The person's confirmed authenticator, made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)


def one_time_code(user) -> str:
    """A fresh single-use code the code page accepts for `user` (any number, any time: unlike
    an app's code, which may be used once per 30 seconds)."""
    ensure_second_factor(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name=TEST_CODES_DEVICE)
    token = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=token)
    return token


def mark_passed(client, user) -> None:
    """Record in `client`'s session that `user` passed the second factor, where they need one."""
    user._second_factor_required = None
    if not (second_factor_required(user) or has_second_factor(user)):
        return
    device = ensure_second_factor(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
