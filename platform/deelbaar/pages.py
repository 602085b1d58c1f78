"""The page layer: what every app's HTML pages share, written once.

Views, forms and templates of every app use these instead of their own copies:

- `require(user, permission, obj)`: the permission check of a page. It raises `NotAllowed`;
  `PageErrorsMiddleware` answers it with the 403 page, so a view never catches `NotAllowed`
  itself. Services raise `NotAllowed` the same way and it reaches the middleware likewise.
- `is_htmx(request)`: whether htmx sent the request (answer with a partial).
- `shown(error)`: in an `except DomainError` block, lets a `NotAllowed` go on to the 403 page
  and returns any other refusal for the page to show.
- `ServiceErrorsMixin` for forms: `form.add_service_error(error)` puts every problem of a
  `DomainError` (all of `error.problems`, not only the first) or a `ValidationError` beside the
  field it names, or above the form.
- Partials in `templates/deelbaar/`: `_error_summary.html` (the NL Design System error summary;
  `shell.js` moves focus to it), `_pagination.html`, `_stale.html` (someone else saved first),
  `queue/_messages.html` and `queue/_update.html` (an approval queue's row swaps).
- `decide()`, `focus()`, `first_error_id()`: an approval queue's decisions (memberships and
  publication requests share them).
- Filters in `{% load deelbaar_dates %}`: `long_date` (`6 december 2026`) and `long_datetime`
  (`6 december 2026, 14:05`, in the viewer's time zone), and `iso` for `<time datetime>`.
- `TimeZoneMiddleware`: the viewer's time zone, which `shell.js` reports in a cookie; the
  platform's zone (Europe/Amsterdam) until it has.
"""

import json
import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.defaults import permission_denied

from deelbaar.errors import DomainError, NotAllowed
from deelbaar.permissions import allowed
from deelbaar.permissions import require as require_permission

TIME_ZONE_COOKIE = "deelbaar_tz"


def require(user, permission: str, obj=None) -> None:
    """Refuse (403 page) unless `user` has `permission` on `obj`; no superuser bypass."""
    require_permission(user, permission, obj)


def may(user, permission: str, obj=None) -> bool:
    return allowed(user, permission, obj)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def shown(error: DomainError) -> DomainError:
    """The refusal a page shows; a `NotAllowed` is re-raised for the 403 page instead."""
    if isinstance(error, NotAllowed):
        raise error
    return error


class ServiceErrorsMixin:
    """Show a service's refusal on the form: each problem beside the input it names, or above
    the form when it names none of this form's fields.

    `service_fields` maps the names services use to this form's field names where they differ.
    A `NotAllowed` is not a problem with the input: it goes on to the 403 page, unless the form
    sets `refusals_shown` (adopting a solution tells a person who may not why, and how to join).
    """

    service_fields: dict[str, str] = {}
    refusals_shown = False

    def field_for(self, name):
        name = self.service_fields.get(name, name)
        return name if name in self.fields else None

    # The name the sprints forms used; kept for their subclasses.
    _field_for = field_for

    def add_service_error(self, error) -> None:
        if isinstance(error, DomainError):
            if not self.refusals_shown:
                shown(error)
            for name, _code, message in error.errors:
                self.add_error(self.field_for(name), str(message))
        elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                for problem in problems:
                    self.add_error(self.field_for(name), problem)
        else:
            for problem in getattr(error, "messages", [str(error)]):
                self.add_error(None, problem)

    add_domain_error = add_service_error


class PageErrorsMiddleware:
    """A `NotAllowed` that leaves a page's view becomes the 403 page (the API maps it itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed) and not request.path_info.startswith("/api/"):
            return permission_denied(request, exception)
        return None


class TimeZoneMiddleware:
    """Show times in the viewer's own zone (the cookie `shell.js` sets), else the platform's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
        zone = None
        if name and len(name) < 64:
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# --- Approval queues -------------------------------------------------------------------------
# Memberships and publication requests wait in a queue for a coordinator's decision; both
# pages decide the same way: one form per action in each row, htmx swapping the row (gone once
# decided) and the messages, a plain POST redirecting back to the queue.
def focus(response, *element_ids):
    """Ask the page to put keyboard focus on the first of these elements that exists (one id is
    sent as a string, several as a list; the pages' scripts take either)."""
    value = element_ids[0] if len(element_ids) == 1 else list(element_ids)
    response["HX-Trigger-After-Settle"] = json.dumps({"deelbaar:focus": value})
    return response


def first_error_id(form, default="queue-messages") -> str:
    """The input of the first field in error, where focus goes after a refused action."""
    for field in form:
        if field.errors:
            return field.auto_id
    return default


def decide(request, *, form, perform, answer, again):
    """One decision in an approval queue.

    `perform(cleaned_data)` calls the service and returns the success message; `answer()` is the
    response once the object moved on (decided here, or by someone else first: the refusal is
    then the message); `again(form)` the response showing the form's own errors.
    """
    if form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except DomainError as error:
            if shown(error).field in form.fields:
                form.add_service_error(error)
            else:
                messages.error(request, str(error.message))
                return answer()
        else:
            messages.success(request, message)
            return answer()
    return again(form)
