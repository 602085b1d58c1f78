"""Reads of the signin app (one module so far, `second_factor`: who must use one, and what a
person has enrolled); every public name is importable from `signin.selectors`."""

from signin.selectors.second_factor import (
    RECOVERY_DEVICE_NAME,
    authenticator,
    confirmed_devices,
    has_second_factor,
    recovery_codes_left,
    second_factor_required,
)

__all__ = [
    "RECOVERY_DEVICE_NAME",
    "authenticator",
    "confirmed_devices",
    "has_second_factor",
    "recovery_codes_left",
    "second_factor_required",
]
