"""The team and product-editing pages: thin views over the team and product services.

Everyone who sees the product sees its team; its product owner and the cooperative's
coordinators change it (a page for a product one may not view answers 404, an action one may
not take 403). Each action is a plain form POST answered by a redirect back to the page, so it
works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from deelbaar.errors import DomainError, NotAllowed, StaleObject
from deelbaar.permissions import allowed
from sprints import selectors, services
from sprints.forms import AddMemberForm, HandOverForm, ProductEditForm
from sprints.models import TeamMember, TeamRole
from sprints.views._common import _product


# --- Helpers -------------------------------------------------------------------------------------
def _require(user, permission, product) -> None:
    if not allowed(user, permission, product):
        raise PermissionDenied


def _invite_url(product):
    """The page on which a person not yet registered is invited, when the people app has it."""
    try:
        return reverse("people:invite_to_team", kwargs={"product_id": product.pk})
    except NoReverseMatch:
        return None


def _team_page(request, product, *, add_form=None, hand_over_form=None, status=200):
    manage = allowed(request.user, "sprints.manage_team", product)
    team = list(selectors.team_of(product))
    for member in team:
        member.other_role = (
            TeamRole.DEVELOPER if member.role == TeamRole.TESTER else TeamRole.TESTER
        )
    context = {
        "product": product,
        "section": "team",
        "team": team,
        "manage_team": manage,
        "change_product": allowed(request.user, "sprints.change_product", product),
    }
    if manage:
        context["add_form"] = add_form or AddMemberForm(product=product, auto_id="add-%s")
        context["hand_over_form"] = hand_over_form or HandOverForm(
            product=product, auto_id="owner-%s"
        )
        context["invite_url"] = _invite_url(product)
    return render(request, "sprints/team.html", context, status=status)


def _back(product):
    return redirect("sprints:team", product_id=product.pk)


def _member(product, member_id) -> TeamMember:
    member = selectors.team_of(product).filter(pk=member_id).first()
    if member is None:
        raise Http404(_("This person is no longer on the team."))
    member.product = product
    return member


# --- Pages ---------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def team(request, product_id):
    """The team, and (for its owner and coordinators) adding a developer or tester."""
    product = _product(request, product_id)
    if request.method == "GET":
        return _team_page(request, product)
    _require(request.user, "sprints.manage_team", product)
    form = AddMemberForm(request.POST, product=product, auto_id="add-%s")
    if form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            services.add_team_member(actor=request.user, product=product, user=user, role=role)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(person)s is on the team as %(role)s.")
                % {
                    "person": user.get_full_name() or user.get_username(),
                    "role": TeamRole(role).label,
                },
            )
            return _back(product)
    return _team_page(request, product, add_form=form, status=400)


@login_required
@require_POST
def team_role(request, product_id, member_id):
    """Make a developer a tester or the other way round."""
    product = _product(request, product_id)
    _require(request.user, "sprints.manage_team", product)
    member = _member(product, member_id)
    role = request.POST.get("role", "")
    try:
        member = services.change_team_role(actor=request.user, member=member, role=role)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {
                "person": member.user.get_full_name() or member.user.get_username(),
                "role": member.get_role_display(),
            },
        )
    return _back(product)


@login_required
@require_POST
def team_remove(request, product_id, member_id):
    """Take a role off a person; what they did stays."""
    product = _product(request, product_id)
    _require(request.user, "sprints.manage_team", product)
    member = _member(product, member_id)
    try:
        services.remove_team_member(actor=request.user, member=member)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(person)s is no longer %(role)s; their verdicts and history stay.")
            % {
                "person": member.user.get_full_name() or member.user.get_username(),
                "role": member.get_role_display(),
            },
        )
    return _back(product)


@login_required
@require_POST
def team_hand_over(request, product_id):
    product = _product(request, product_id)
    _require(request.user, "sprints.manage_team", product)
    form = HandOverForm(request.POST, product=product, auto_id="owner-%s")
    if form.is_valid():
        user = form.cleaned_data["user"]
        try:
            services.hand_over_product(actor=request.user, product=product, user=user)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(person)s is now the product owner.")
                % {"person": user.get_full_name() or user.get_username()},
            )
            if allowed(request.user, "sprints.view_product", product):
                return _back(product)
            return redirect("sprints:product_list")
    return _team_page(request, product, hand_over_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, product_id):
    """Name, vision, sprint length and participants, by the product owner or a coordinator.
    The version read travels with the form: a change made meanwhile by someone else is not
    overwritten; the page says so and shows the product as it is now."""
    product = _product(request, product_id)
    _require(request.user, "sprints.change_product", product)
    initial = {
        "name": product.name,
        "vision": product.vision,
        "sprint_length_days": product.sprint_length_days,
        "participants": list(product.participants.values_list("pk", flat=True)),
        "version": product.version,
    }
    if request.method == "GET":
        form = ProductEditForm(initial=initial, product=product)
        return render(request, "sprints/product_edit.html", {"product": product, "form": form})
    form = ProductEditForm(request.POST, product=product)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        data["participants"] = [m.organisation for m in data["participants"]]
        try:
            services.update_product(actor=request.user, product=product, version=version, **data)
        except NotAllowed:
            raise PermissionDenied from None
        except StaleObject as stale:
            messages.error(request, str(stale.message))
            product.refresh_from_db()
            initial["version"] = product.version
            form = ProductEditForm(
                initial={**initial, "name": product.name, "vision": product.vision},
                product=product,
            )
            status = 412
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The product is saved."))
            return redirect("sprints:team", product_id=product.pk)
    return render(
        request, "sprints/product_edit.html", {"product": product, "form": form}, status=status
    )
