"""Increments: the list, a new increment and submitting one for acceptance."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from deelbaar.templatetags.deelbaar_dates import long_date
from sprints import selectors, services
from sprints.forms import (
    IncrementForm,
    SubmitIncrementForm,
)
from sprints.models import (
    Increment,
    IncrementState,
)
from sprints.views._common import _product


def _increments_context(request, product, *, form=None, failed=None):
    prepare = allowed(request.user, "sprints.prepare_increment", product)
    testers = selectors.eligible_testers(product) if prepare else []
    increments = list(selectors.increments_of(product).prefetch_related("testers"))
    for increment in increments:
        increment.submit_form = None
        if prepare and increment.state == IncrementState.DRAFT:
            if failed and failed[0] == increment.pk:
                increment.submit_form = failed[1]
            else:
                increment.submit_form = SubmitIncrementForm(
                    testers=testers,
                    auto_id=f"submit-{increment.pk}-%s",
                    initial={"deadline": (timezone.localdate() + timedelta(days=5)).isoformat()},
                )
    if prepare and form is None:
        form = IncrementForm(product=product, auto_id="increment-%s")
    return {
        "product": product,
        "section": "increments",
        "increments": increments,
        "form": form if prepare else None,
        "prepare_increment": prepare,
        "testers": testers,
    }


@login_required
@require_http_methods(["GET", "POST"])
def increment_list(request, product_id):
    product = _product(request, product_id)
    form = None
    if request.method == "POST":
        pages.require(request.user, "sprints.prepare_increment", product)
        form = IncrementForm(request.POST, product=product, auto_id="increment-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                increment = services.create_increment(
                    actor=request.user,
                    product=product,
                    version=data["version"],
                    items=list(data["items"]),
                    release_notes=data["release_notes"],
                    git_ref=data["git_ref"],
                    sprint=data["sprint"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Increment %(version)s is ready to submit for acceptance.")
                    % {"version": increment.version},
                )
                url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
                return redirect(f"{url}#increment-{increment.pk}")
    return render(
        request,
        "sprints/increment_list.html",
        _increments_context(request, product, form=form),
    )


@login_required
@require_POST
def increment_submit(request, product_id, increment_id):
    product = _product(request, product_id)
    pages.require(request.user, "sprints.prepare_increment", product)
    increment = get_object_or_404(Increment, product=product, pk=increment_id)
    testers = selectors.eligible_testers(product)
    form = SubmitIncrementForm(request.POST, testers=testers, auto_id=f"submit-{increment.pk}-%s")
    if form.is_valid():
        try:
            increment = services.submit_increment(
                actor=request.user,
                increment=increment,
                deadline=form.cleaned_data["deadline"],
                testers=form.cleaned_data["testers"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "Increment %(version)s is submitted; the testers are asked for their "
                    "verdicts by %(deadline)s."
                )
                % {"version": increment.version, "deadline": long_date(increment.deadline)},
            )
            url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
            return redirect(f"{url}#increment-{increment.pk}")
    return render(
        request,
        "sprints/increment_list.html",
        _increments_context(request, product, failed=(increment.pk, form)),
    )
