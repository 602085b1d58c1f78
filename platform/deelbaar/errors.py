"""Domain errors that services raise; the API maps them to HTTP in one place."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the change. `field` names the input at fault, if one is."""

    status_code = 400
    default_code = "invalid"
    default_message = _("The request breaks a rule of the platform.")

    def __init__(
        self,
        message=None,
        *,
        field: str | None = None,
        code: str | None = None,
        problems=None,
    ):
        self.message = message or self.default_message
        self.field = field
        self.code = code or self.default_code
        # Several problems at once (a publiccode.yml with many faults): (field, code, message)
        # each, the field a key path such as "maintenance.contacts.0.name".
        self.problems = [tuple(p) for p in problems] if problems else []
        super().__init__(str(self.message))

    @property
    def errors(self) -> list[tuple]:
        """Every (field, code, message) this error carries."""
        return self.problems or [(self.field, self.code, str(self.message))]


class NotAllowed(DomainError):
    """The person may not do this to this object."""

    status_code = 403
    default_code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """The object is not in a state that allows the change (an illegal transition)."""

    status_code = 409
    default_code = "conflict"
    default_message = _("This change is not possible in the object's current state.")


class StaleObject(DomainError):
    """Someone else changed the object since it was read (optimistic concurrency)."""

    status_code = 412
    default_code = "stale"
    default_message = _("Someone else changed this in the meantime. Reload and try again.")


class Unavailable(DomainError):
    """A service the change needs (the job queue, say) cannot be reached right now."""

    status_code = 503
    default_code = "unavailable"
    default_message = _("A service the platform needs is not reachable; try again later.")
