"""The pages of newcomers: joining costs, asking for access, and the coordinators' queue.

Thin: forms check input, `people.selectors.newcomers` reads, `people.services.newcomers` decides
and writes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperative import selectors as cooperative_selectors
from cooperative.models import Cooperative
from deelbaar.errors import DomainError, NotAllowed
from deelbaar.permissions import allowed
from people.forms.newcomers import (
    AccessRequestForm,
    ApproveAccessForm,
    DeclineAccessForm,
    QuoteForm,
)
from people.lockout import client_address
from people.models import AccessRequestState
from people.selectors import newcomers as newcomer_selectors
from people.services import newcomers as newcomer_services

# Requests for access one address may send per hour (a person sends one; a robot many).
ACCESS_REQUESTS_PER_HOUR = 5


def _cooperative(slug):
    try:
        return cooperative_selectors.cooperative_detail(slug)
    except Cooperative.DoesNotExist:
        raise Http404(_("There is no cooperative at this address.")) from None


# --- Joining: the calculator and the request for access -------------------------------------
def _quote_form(request, cooperative):
    organisations = newcomer_selectors.quotable_organisations()
    form = QuoteForm(request.GET or None, organisations=organisations, auto_id="quote-%s")
    result = None
    if form.is_bound and form.is_valid():
        result = newcomer_selectors.quote(
            cooperative,
            organisation=form.cleaned_data["organisation"],
            inhabitants=form.cleaned_data["inhabitants"],
        )
    return form, result


def _too_many_requests(request) -> bool:
    """At most ACCESS_REQUESTS_PER_HOUR requests an hour from one address (counted in the cache,
    shared by all processes in production)."""
    key = f"access:access-requests:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > ACCESS_REQUESTS_PER_HOUR


@require_http_methods(["GET", "POST"])
def joining(request, slug):
    """How to join: what it costs (the calculator) and how to start (the request for access)."""
    cooperative = _cooperative(slug)
    quote_form, quote = _quote_form(request, cooperative)
    form = AccessRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            # The hidden field was filled in: a robot. Answer as if all went well.
            messages.success(request, _received(cooperative))
            return redirect("access:joining", slug=cooperative.slug)
        if _too_many_requests(request):
            form.add_error(None, _("Too many requests from your address; try again in an hour."))
            status = 429
        else:
            try:
                newcomer_services.request_access(
                    cooperative=cooperative,
                    organisation_name=data["organisation_name"],
                    name=data["name"],
                    email=data["email"],
                    message=data["message"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _received(cooperative))
                return redirect("access:joining", slug=cooperative.slug)
    return render(
        request,
        "people/joining.html",
        {"cooperative": cooperative, "quote_form": quote_form, "quote": quote, "form": form},
        status=status if form.errors or status != 200 else 200,
    )


def _received(cooperative) -> str:
    return _(
        "Thank you. Your request has reached the coordinators of %(cooperative)s; when they "
        "approve it, you receive an invitation by e-mail."
    ) % {"cooperative": cooperative.name}


# --- The coordinators' queue ------------------------------------------------------------------
def _require_coordinator(user, cooperative):
    if not allowed(user, "cooperative.manage_memberships", cooperative):
        raise PermissionDenied


def _queue(request, cooperative, failed=None):
    organisations = newcomer_selectors.approvable_organisations(cooperative, request.user)
    rows = []
    for access_request in newcomer_selectors.access_queue(cooperative):
        prefix = f"a{access_request.pk}-%s"
        row = {
            "request": access_request,
            "approve_form": ApproveAccessForm(organisations=organisations, auto_id=prefix),
            "decline_form": DeclineAccessForm(auto_id=prefix),
        }
        if failed and failed[0] == access_request.pk:
            row[failed[1]] = failed[2]
        rows.append(row)
    decided = (
        newcomer_selectors.access_queue(cooperative, state=None)
        .exclude(state=AccessRequestState.PENDING)
        .order_by("-decided_at")[:20]
    )
    return render(
        request,
        "people/access_queue.html",
        {"cooperative": cooperative, "rows": rows, "decided": decided, "failed": failed},
        status=400 if failed else 200,
    )


@login_required
@require_GET
def access_queue(request, slug):
    cooperative = _cooperative(slug)
    _require_coordinator(request.user, cooperative)
    return _queue(request, cooperative)


def _decide(request, slug, pk, *, form_key, make_form, perform, done):
    cooperative = _cooperative(slug)
    _require_coordinator(request.user, cooperative)
    access_request = get_object_or_404(
        newcomer_selectors.access_queue(cooperative, state=None), pk=pk
    )
    form = make_form(request.POST, auto_id=f"a{access_request.pk}-%s")
    if form.is_valid():
        try:
            access_request = perform(access_request, form.cleaned_data)
        except NotAllowed as error:
            form.add_service_error(DomainError(error.message, field="organisation"))
        except DomainError as error:
            if error.field in form.fields:
                form.add_service_error(error)
            else:
                messages.error(request, str(error.message))
                return redirect("access:access_queue", slug=cooperative.slug)
        else:
            messages.success(request, done(access_request))
            return redirect("access:access_queue", slug=cooperative.slug)
    return _queue(request, cooperative, failed=(access_request.pk, form_key, form))


@login_required
@require_POST
def approve_access(request, slug, pk):
    organisations = newcomer_selectors.approvable_organisations(_cooperative(slug), request.user)
    return _decide(
        request,
        slug,
        pk,
        form_key="approve_form",
        make_form=lambda data, **kw: ApproveAccessForm(data, organisations=organisations, **kw),
        perform=lambda access_request, data: newcomer_services.approve_access_request(
            actor=request.user, access_request=access_request, **data
        ),
        done=lambda access_request: (
            _("%(name)s is invited to work for %(organisation)s; the invitation went to %(email)s.")
            % {
                "name": access_request.name,
                "organisation": access_request.organisation,
                "email": access_request.email,
            }
        ),
    )


@login_required
@require_POST
def decline_access(request, slug, pk):
    return _decide(
        request,
        slug,
        pk,
        form_key="decline_form",
        make_form=DeclineAccessForm,
        perform=lambda access_request, data: newcomer_services.decline_access_request(
            actor=request.user, access_request=access_request, **data
        ),
        done=lambda access_request: (
            _("The request of %(name)s is declined.") % {"name": access_request.name}
        ),
    )
