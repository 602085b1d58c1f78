"""Every state change of the signin app (one module so far, `second_factor`: enrolling, using and
removing a second factor); every public name is importable from `signin.services`."""

from signin.services.second_factor import (
    APP_DEVICE_NAME,
    RECOVERY_CODE_COUNT,
    WrongCode,
    confirm_enrolment,
    new_recovery_codes,
    remove_second_factor,
    start_enrolment,
    verify,
)

__all__ = [
    "APP_DEVICE_NAME",
    "RECOVERY_CODE_COUNT",
    "WrongCode",
    "confirm_enrolment",
    "new_recovery_codes",
    "remove_second_factor",
    "start_enrolment",
    "verify",
]
