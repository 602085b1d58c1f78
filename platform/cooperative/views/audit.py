"""A cooperative's audit trail, in words, with its filters and CSV export."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cooperative import selectors, trail
from cooperative.forms.audit import (
    AuditFilterForm,
)
from cooperative.templatetags.cooperative_pages import action_label
from cooperative.views._common import _cooperative
from deelbaar import pages

AUDIT_PAGE_SIZE = 50


def _audit_csv_url(cooperative, form) -> str:
    """The API's CSV export with the page's valid filters, in the API's own words."""
    query = QueryDict(mutable=True)
    query["cooperative"] = cooperative.slug
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("action"):
        query["action"] = data["action"]
    for name in ("actor", "organisation"):
        if data.get(name) is not None:
            query[name] = data[name]
    if data.get("object_type") is not None:
        kind = ContentType.objects.get_for_id(data["object_type"])
        query["object_type"] = f"{kind.app_label}.{kind.model}"
    if data.get("date_from"):
        query["at_after"] = data["date_from"].isoformat()
    if data.get("date_to"):
        query["at_before"] = data["date_to"].isoformat()
    return f"{reverse('api:audit-record-export')}?{query.urlencode()}"


@login_required
@require_GET
def audit_trail(request, slug):
    cooperative = _cooperative(slug)
    pages.require(request.user, "cooperative.view_audit", cooperative)
    records = selectors.audit_visible_to(request.user).filter(cooperative=cooperative)
    form = AuditFilterForm(request.GET or None, records=records, action_label=action_label)
    page = Paginator(form.filter(records), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # A filter that is not right is shown with its error and not applied, with 400 like the
    # catalogue's search: the list below is then not what was asked for.
    return render(
        request,
        "cooperative/audit.html",
        {
            "cooperative": cooperative,
            "form": form,
            "page_obj": page,
            "entries": trail.describe(page.object_list, request.user),
            "csv_url": _audit_csv_url(cooperative, form),
            "query_prefix": f"{query.urlencode()}&" if query else "",
            "filtered": bool(query),
            "queue_url": reverse("cooperative:queue", kwargs={"slug": cooperative.slug}),
        },
        status=400 if form.errors else 200,
    )
