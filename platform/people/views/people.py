"""The people pages: an organisation's people, invitations, accepting one.

Thin: each page reads through selectors and changes through one service.
"""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cooperative import selectors as cooperative_selectors
from cooperative import services as cooperative_services
from cooperative.models import Organisation
from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from people import selectors, services
from people.forms.people import AcceptForm, InviteForm, RoleForm, TeamInviteForm
from people.models import Invitation
from sprints.models import Product

LIST_LIMIT = 200


def _organisation(request, organisation_id) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not allowed(request.user, "cooperative.view_people", organisation):
        raise Http404(_("No such organisation, or you may not see its people."))
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def organisation_people(request, organisation_id):
    """Who works for the organisation; its managers invite, change roles and remove here."""
    organisation = _organisation(request, organisation_id)
    may_manage = allowed(request.user, "cooperative.manage_people", organisation)
    form = InviteForm()
    if request.method == "POST":
        pages.require(request.user, "cooperative.manage_people", organisation)
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invite(
                    actor=request.user,
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
                )
                return redirect("people:organisation_people", organisation.pk)
    people = list(cooperative_selectors.organisation_people(organisation)[:LIST_LIMIT])
    invitations = (
        list(selectors.invitations_of(organisation).filter(state="pending")[:LIST_LIMIT])
        if may_manage
        else []
    )
    return render(
        request,
        "people/organisation_people.html",
        {
            "organisation": organisation,
            "people": people,
            "invitations": invitations,
            "may_manage": may_manage,
            "form": form,
            "role_form": RoleForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite_to_team(request, product_id):
    """The product owner (or a coordinator) invites someone without an account to the team."""

    product = Product.objects.select_related("cooperative", "owner").filter(pk=product_id).first()
    if product is None or not allowed(request.user, "sprints.view_product", product):
        raise Http404(_("There is no product at this address, or you may not see it."))
    pages.require(request.user, "sprints.manage_team", product)
    organisations = selectors.team_organisations(product).order_by("name")
    form = TeamInviteForm(organisations=organisations)
    if request.method == "POST":
        form = TeamInviteForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                invitation = services.invite(
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    product=product,
                    team_role=form.cleaned_data["team_role"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
                )
                return redirect("sprints:team", product_id=product.pk)
    return render(
        request,
        "people/invite_to_team.html",
        {
            "product": product,
            "form": form,
            "invitations": list(
                selectors.invitations_visible_to(request.user).filter(
                    product=product, state="pending"
                )[:LIST_LIMIT]
            ),
        },
        status=400 if form.errors else 200,
    )


def _person_of(organisation, user_id):
    affiliation = (
        cooperative_selectors.organisation_people(organisation).filter(user_id=user_id).first()
    )
    if affiliation is None:
        raise Http404(_("This person does not work for this organisation."))
    return affiliation


@login_required
@require_POST
def change_role(request, organisation_id, user_id):
    organisation = _organisation(request, organisation_id)
    affiliation = _person_of(organisation, user_id)
    pages.require(request.user, "cooperative.manage_people", organisation)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin or staff."))
    else:
        try:
            cooperative_services.change_organisation_role(
                actor=request.user,
                organisation=organisation,
                user=affiliation.user,
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            messages.error(request, pages.shown(error).message)
        else:
            messages.success(request, _("The role has been changed."))
    return redirect("people:organisation_people", organisation.pk)


@login_required
@require_POST
def remove_person(request, organisation_id, user_id):
    organisation = _organisation(request, organisation_id)
    affiliation = _person_of(organisation, user_id)
    pages.require(request.user, "cooperative.manage_people", organisation)
    try:
        cooperative_services.remove_person(
            actor=request.user, organisation=organisation, user=affiliation.user
        )
    except DomainError as error:
        messages.error(request, pages.shown(error).message)
    else:
        messages.success(
            request,
            _("%(person)s no longer works for %(organisation)s.")
            % {
                "person": affiliation.user.get_full_name() or affiliation.user.get_username(),
                "organisation": organisation.name,
            },
        )
    return redirect("people:organisation_people", organisation.pk)


@login_required
def invitations(request):
    """Every invitation the person manages: of their organisations and product teams."""
    return render(
        request,
        "people/invitations.html",
        {
            "invitations": list(selectors.invitations_visible_to(request.user)[:LIST_LIMIT]),
            "organisations": list(
                Organisation.objects.filter(
                    Q(pk__in=cooperative_selectors.organisations_of(request.user).values("pk"))
                    | Q(
                        pk__in=cooperative_selectors.organisations_managed_by(request.user).values(
                            "pk"
                        )
                    )
                ).order_by("name")[:LIST_LIMIT]
            ),
        },
    )


def _visible_invitation(request, invitation_id) -> Invitation:
    invitation = selectors.invitations_visible_to(request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


def _back(request, invitation):
    target = request.POST.get("next", "")
    if target == "organisation":
        return redirect("people:organisation_people", invitation.organisation_id)
    return redirect("people:invitations")


@login_required
@require_POST
def resend_invitation(request, invitation_id):
    invitation = _visible_invitation(request, invitation_id)
    try:
        invitation = services.resend(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, pages.shown(error).message)
    else:
        messages.success(
            request,
            _("The invitation has been sent again to %(email)s, with a new link.")
            % {"email": invitation.email},
        )
    return _back(request, invitation)


@login_required
@require_POST
def revoke_invitation(request, invitation_id):
    invitation = _visible_invitation(request, invitation_id)
    try:
        invitation = services.revoke(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, pages.shown(error).message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email},
        )
    return _back(request, invitation)


@require_http_methods(["GET", "POST"])
def accept(request, token):
    """The page the invitation's link opens: a new account sets a password; a signed-in
    person accepts for their account; a link that no longer works says why."""
    try:
        invitation = services.find(token)
    except services.InvitationUnusable as error:
        return render(
            request,
            "people/invitation_unusable.html",
            {"message": error.message, "reason": error.reason},
            status=410,
        )
    signed_in = request.user.is_authenticated
    existing = selectors.account_for_email(invitation.email)
    form = AcceptForm()
    if request.method == "POST":
        form = AcceptForm(request.POST) if not signed_in else AcceptForm()
        if signed_in or form.is_valid():
            data = form.cleaned_data if not signed_in else {}
            try:
                invitation, user = services.accept(
                    token=token,
                    user=request.user if signed_in else None,
                    password=data.get("password", ""),
                    first_name=data.get("first_name", ""),
                    last_name=data.get("last_name", ""),
                )
            except services.InvitationUnusable as error:
                return render(
                    request,
                    "people/invitation_unusable.html",
                    {"message": error.message, "reason": error.reason},
                    status=410,
                )
            except DomainError as error:
                if signed_in:
                    messages.error(request, pages.shown(error).message)
                else:
                    form.add_service_error(error)
            else:
                if not signed_in:
                    login(request, user, backend="people.backends.EmailOrUsernameBackend")
                messages.success(
                    request,
                    _("Welcome! You now work for %(organisation)s on Deelbaar.")
                    % {"organisation": invitation.organisation.name},
                )
                if invitation.product_id:
                    return redirect("sprints:backlog", invitation.product_id)
                return redirect("home")
    return render(
        request,
        "people/accept.html",
        {
            "invitation": invitation,
            "form": form,
            "signed_in": signed_in,
            "has_account": existing is not None,
            "is_other_account": signed_in and existing is not None and existing != request.user,
            "login_url": reverse("login") + "?next=" + request.path,
            # Where an identity provider's sign-in takes over (people/oidc, helper of issue 12).
            "identity_provider_url": _identity_provider_url(token),
        },
        status=400 if form.errors else 200,
    )


def _identity_provider_url(token) -> str | None:
    """Where accepting by signing in with the organisation's identity provider starts, when the
    signin app has one configured."""
    if not apps.is_installed("signin"):
        return None
    from signin import oidc

    return reverse("people:accept_with_identity_provider", args=[token]) if oidc.enabled() else None


@require_POST
def accept_with_identity_provider(request, token):
    """Remember the invitation in the session and sign in with the identity provider; the
    signin app hands it back to `people.services.identity_provider.accept_pending`."""
    if not apps.is_installed("signin"):
        raise Http404
    from signin import oidc

    if not oidc.enabled():
        raise Http404
    try:
        services.find(token)
    except services.InvitationUnusable as error:
        return render(
            request,
            "people/invitation_unusable.html",
            {"message": error.message, "reason": error.reason},
            status=410,
        )
    request.session[oidc.PENDING_INVITATION_SESSION_KEY] = token
    return redirect(reverse("oidc_authentication_init") + "?next=" + reverse("home"))
