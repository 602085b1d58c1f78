"""The cooperatives: the list, one cooperative's page and applying to join."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cooperative import selectors, services
from cooperative.contributions import inhabitants_of
from cooperative.forms.memberships import (
    JoinForm,
)
from cooperative.views._common import _cooperative
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed


def _quotes(user, cooperative):
    """What joining costs each of the person's organisations, and where each one stands."""
    if not user.is_authenticated:
        return []
    organisations = list(selectors.organisations_of(user).prefetch_related("represents"))
    open_memberships = {
        membership.organisation_id: membership
        for membership in selectors.memberships_of(cooperative, visible_to=user)
        .open()
        .filter(organisation__in=[o.pk for o in organisations])
    }
    return [
        {
            "organisation": organisation,
            "inhabitants": inhabitants_of(organisation),
            "can_be_member": organisation.kind in services.MEMBER_KINDS,
            "amount": services.contribution_quote(cooperative, organisation),
            "membership": open_memberships.get(organisation.pk),
        }
        for organisation in organisations
    ]


@require_GET
def cooperative_list(request):
    return render(
        request,
        "cooperative/cooperative_list.html",
        {"cooperatives": selectors.cooperatives_list()},
    )


@require_GET
def cooperative_detail(request, slug):
    cooperative = _cooperative(slug)
    return render(
        request,
        "cooperative/cooperative_detail.html",
        {
            "cooperative": cooperative,
            "members": selectors.members_for_page(cooperative),
            "quotes": _quotes(request.user, cooperative),
            "can_manage": allowed(request.user, "cooperative.manage_memberships", cooperative),
            "can_audit": allowed(request.user, "cooperative.view_audit", cooperative),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    cooperative = _cooperative(slug)
    quotes = _quotes(request.user, cooperative)
    organisations = selectors.organisations_of(request.user)
    initial = {}
    chosen = request.GET.get("organisation", "")
    if chosen.isdigit() and organisations.filter(pk=chosen).exists():
        initial["organisation"] = int(chosen)
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            services.apply_for_membership(
                actor=request.user,
                cooperative=cooperative,
                organisation=organisation,
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "The application of %(organisation)s has been sent to the coordinators of "
                    "%(cooperative)s. You will hear from them."
                )
                % {"organisation": organisation, "cooperative": cooperative},
            )
            return redirect("cooperative:detail", slug=cooperative.slug)
    return render(
        request,
        "cooperative/join.html",
        {
            "cooperative": cooperative,
            "form": form,
            "quotes": quotes,
            "applied": [q for q in quotes if q["membership"]],
            # The form only while one of the person's organisations may still apply; once they
            # all have, it is hidden and their applications' state is shown instead.
            "may_apply": any(q["can_be_member"] and not q["membership"] for q in quotes),
        },
    )
