"""The demo's second factor: every demo person who must use one gets the same known key.

Coordinators and the administrator must sign in with a code from an authenticator app. So that
the demo stays usable, each of them is enrolled with DEMO_KEY (printed by `deelbaar demo`): add
it once to any authenticator app (or compute a code with `oathtool --totp -b KEY`) and it
answers for all of them. Only demo users get it, and only when they have no app yet; a real
installation never runs this loader.
"""

import base64
import sys

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.selectors.second_factor import second_factor_required
from signin.services.second_factor import APP_DEVICE_NAME, new_recovery_codes

# Base32 as authenticator apps take it; 20 bytes, as django-otp makes its own keys.
DEMO_KEY = "DEELBAARDEMOKEY2FA234567DEMOKEY2"
DEMO_USERNAMES = ("admin", "coordinator", "coordinator-dimpact", "coordinator-nijmegen")


def demo_key_hex() -> str:
    return base64.b32decode(DEMO_KEY).hex()


@transaction.atomic
def load() -> list:
    enrolled = []
    for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES).order_by("username"):
        if not second_factor_required(user):
            continue
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name=APP_DEVICE_NAME, key=demo_key_hex(), confirmed=True
            )
            new_recovery_codes(user=user)
        enrolled.append(user.username)
    if enrolled:
        sys.stdout.write(
            "Two-step verification: "
            + ", ".join(enrolled)
            + f" sign in with a code from an authenticator app holding the key {DEMO_KEY}"
            + f" (or: oathtool --totp -b {DEMO_KEY}).\n"
        )
    return []
