"""A coordinator puts a newcomer organisation on Deelbaar."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cooperative import services
from cooperative.forms.organisations import (
    OrganisationForm,
)
from cooperative.views._common import _cooperative
from deelbaar import pages
from deelbaar.errors import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def register_organisation(request, slug):
    """A coordinator puts a newcomer organisation on Deelbaar, so that its request for access
    can be approved with it."""
    cooperative = _cooperative(slug)
    pages.require(request.user, "cooperative.manage_memberships", cooperative)
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.register_organisation(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                cbs_code=data["cbs_code"] or None,
                inhabitants=data["inhabitants"],
            )
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(organisation)s is on Deelbaar now: choose it when you approve the request.")
                % {"organisation": organisation.name},
            )
            return redirect("access:access_queue", slug=cooperative.slug)
    return render(
        request,
        "cooperative/organisation_new.html",
        {"cooperative": cooperative, "form": form},
        status=400 if form.errors else 200,
    )
