"""My products: the list, a new product, and similar solutions while naming one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from deelbaar.errors import DomainError
from sprints import selectors, services
from sprints.forms import (
    ProductForm,
)
from sprints.models import (
    TeamMember,
)


@login_required
@require_http_methods(["GET", "POST"])
def product_list(request):
    form = ProductForm(request.POST or None, user=request.user)
    similar = []
    if request.method == "POST":
        if not form.fields["pilot"].queryset.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            similar = selectors.similar_solutions(data["name"], data["vision"])
            if similar and not data["similar_seen"]:
                # Nothing is written until the person has looked at what already exists.
                # A copy keeps every value of a list, such as the chosen participants.
                seen = request.POST.copy()
                seen["similar_seen"] = "1"
                form = ProductForm(seen, user=request.user)
                form.is_valid()
                messages.warning(
                    request,
                    _(
                        "Similar solutions already exist. Look at them first; if none fits, "
                        "start the product anyway."
                    ),
                )
            else:
                try:
                    product = services.create_product(
                        actor=request.user, **form.service_arguments()
                    )
                except (DomainError, ValidationError) as error:
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("%(name)s is started. Add the first items to its backlog.")
                        % {"name": product.name},
                    )
                    return redirect("sprints:backlog", product_id=product.pk)
    products = list(selectors.products_visible_to(request.user))
    roles = {}
    for member in TeamMember.objects.filter(user=request.user, product__in=products):
        roles.setdefault(member.product_id, []).append(capfirst(member.get_role_display()))
    for product in products:
        product.my_roles = roles.get(product.pk, [])
    return render(
        request,
        "sprints/product_list.html",
        {
            "products": products,
            "form": form,
            "may_start": form.fields["pilot"].queryset.exists(),
            "similar": similar,
        },
    )


@login_required
@require_GET
def similar_solutions(request):
    """The section of the product form that shows existing solutions like the proposal."""
    name = request.GET.get("name", "")[:200]
    vision = request.GET.get("vision", "")[:2000]
    similar = selectors.similar_solutions(name, vision) if name.strip() else []
    return render(request, "sprints/_similar_solutions.html", {"similar": similar})
