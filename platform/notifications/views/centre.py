"""The notification centre: a person's own notifications, read and marked read here."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.models import Kind, Notification

PAGE_SIZE = 25


def _filters(request) -> tuple[bool | None, str]:
    unread = True if request.GET.get("unread") == "1" else None
    kind = request.GET.get("kind", "")
    return unread, kind if kind in Kind.values else ""


def _own(request, pk) -> Notification:
    # Someone else's notification does not exist for this person (404, not 403).
    notification = selectors.notifications_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("There is no notification at this address."))
    return notification


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:centre")


@login_required
@require_GET
def centre(request):
    unread, kind = _filters(request)
    notifications = selectors.notifications_for(request.user, unread=unread, kind=kind)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/centre.html",
        {
            "page_obj": page,
            "unread_only": bool(unread),
            "kind": kind,
            "kinds": Kind.choices,
            "query_prefix": f"{query.urlencode()}&" if query else "",
            "filtered": bool(query),
            "unread_count": selectors.unread_count(request.user),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def mark_read(request, pk):
    services.mark_read(person=request.user, notification=_own(request, pk))
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(person=request.user)
    return _back(request)


@require_GET
def unread(request):
    """The unread count for the header (fetched by notifications.js, so pages stay as cheap)."""
    return JsonResponse({"unread": selectors.unread_count(request.user)})
