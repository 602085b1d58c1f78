"""The publication pages: the request form reached from an accepted increment, and the queue of
publication requests (coordinators decide, requesters follow and may withdraw theirs).

Thin views: they find the object, check the permission for it, and call one service. An
increment whose product the person may not view, or a request they may not view, is not there
for them (404); one they may view but not act on answers 403. The queue's buttons work with
htmx (the row is replaced, a message says what happened and takes the focus) and without
JavaScript (a plain POST and a redirect back).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperative.selectors import coordinated_cooperatives
from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from solutions.forms.publication import DecisionForm, PublicationRequestForm, RejectForm
from solutions.models import PublicationState, Solution
from solutions.selectors import publication as selectors
from solutions.selectors.catalogue import similar_to
from solutions.selectors.publication import newest_release
from solutions.services import publication as services
from sprints import hooks
from sprints.models import Increment, TeamMember, TeamRole

# How many decided requests the queue shows beneath the open ones.
HISTORY = 50


def solution_url(solution) -> str:
    # The solution page belongs to the catalogue; its address is /solutions/<slug>/.
    return f"/solutions/{solution.slug}/"


# --- Requesting ------------------------------------------------------------------------------
def _increment(request, increment_id) -> Increment:
    increment = (
        Increment.objects.select_related("product__cooperative", "product__owner", "sprint")
        .filter(pk=increment_id)
        .first()
    )
    if increment is None or not allowed(request.user, "sprints.view_product", increment.product):
        raise Http404(_("There is no increment at this address, or you may not see it."))
    return increment


def _repository_url(product) -> str:
    """The product's first repository on a web address: what publiccode.yml's url names
    (from the integrations app, through sprints.hooks)."""
    return hooks.repository_url(product)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, increment_id):
    increment = _increment(request, increment_id)
    product = increment.product
    pages.require(request.user, "solutions.request_publication", increment)
    solutions = Solution.objects.filter(source_product=product).order_by("name")
    own = services.own_solution(product)
    newest = newest_release(own) if own else None
    # The next minor version after the newest release: the increment's own would always be
    # refused once a newer release exists.
    initial = {
        "version": selectors.suggested_version(own, increment),
        "solution": own,
        "name": product.name,
        **PublicationRequestForm.initial_metadata(
            product=product,
            solution=own,
            user=request.user,
            repository_url=_repository_url(product),
        ),
    }
    form = PublicationRequestForm(
        request.POST or None, solutions=solutions, initial=initial, auto_id="publish-%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            publication = services.request_publication(
                actor=request.user, increment=increment, **form.service_arguments()
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "Publication of %(product)s %(version)s is requested; a coordinator of "
                    "%(cooperative)s decides."
                )
                % {
                    "product": product.name,
                    "version": publication.version,
                    "cooperative": product.cooperative.name,
                },
            )
            return redirect(f"{reverse('solutions:publication_requests')}#request-{publication.pk}")
    return render(
        request,
        "solutions/publication/publish.html",
        {
            "increment": increment,
            "product": product,
            "form": form,
            "obstacle": obstacle.message
            if (obstacle := services.publication_obstacle(increment))
            else None,
            "own_solution": own,
            "newest": newest,
            # A first publication proposes a new solution: show what the library already has.
            "similar": [] if own else similar_to(product.name, product.vision),
        },
    )


# --- The queue -------------------------------------------------------------------------------
def _row(publication, *, coordinated, user, bound=None, owned=None):
    """One open request with what this person may do to it (`bound`: a form that failed).

    `owned`: the ids of the products the person owns (read once for the whole queue). A
    coordinator who owns the product or made the request does not decide on it: the row says
    another coordinator does."""
    prefix = f"r{publication.pk}-%s"
    if owned is None:
        owned = _owned(user)
    coordinates = publication.increment.product.cooperative_id in coordinated
    steers = publication.requested_by_id == user.pk or publication.increment.product_id in owned
    row = {
        "publication": publication,
        "may_decide": coordinates and not steers,
        "own_decision": coordinates and steers,
        "may_withdraw": publication.requested_by_id == user.pk,
        "reject_form": RejectForm(auto_id=prefix),
    }
    if row["may_decide"]:
        # What the solution's publiccode.yml would lack once approved: said before approving.
        row["missing"] = services.approval_problems(publication)
    if bound is not None:
        row[bound[0]] = bound[1]
    return row


def _owned(user) -> set[int]:
    return set(
        TeamMember.objects.filter(user=user, role=TeamRole.PRODUCT_OWNER).values_list(
            "product_id", flat=True
        )
    )


def _coordinated(user) -> set[int]:
    return set(coordinated_cooperatives(user).values_list("pk", flat=True))


def _render_queue(request, failed=None, status=200):
    """The queue page; `failed` is (request pk, form key, bound form) of a refused action."""
    coordinated = _coordinated(request.user)
    owned = _owned(request.user)
    rows = []
    for publication in selectors.open_requests_for(request.user):
        bound = failed[1:] if failed and failed[0] == publication.pk else None
        rows.append(
            _row(publication, coordinated=coordinated, user=request.user, bound=bound, owned=owned)
        )
    decided = selectors.publication_requests_for(request.user).exclude(
        state=PublicationState.REQUESTED
    )[:HISTORY]
    return render(
        request,
        "solutions/publication/queue.html",
        {
            "rows": rows,
            "decided": decided,
            "coordinates": bool(coordinated),
            "failed_form": failed[2] if failed else None,
        },
        status=status,
    )


@login_required
@require_GET
def queue(request):
    return _render_queue(request)


def _render_row(request, row, *, focus):
    response = render(
        request,
        "deelbaar/queue/_update.html",
        {"row": row, "row_template": "solutions/publication/_queue_row.html"},
    )
    # Keyboard focus follows the change: to the first field in error, or to the message.
    return pages.focus(response, focus)


def _answer(request, pk):
    """After an action: back to the queue, or (htmx) the row gone, with the message."""
    if not pages.is_htmx(request):
        return redirect("solutions:publication_requests")
    publication = selectors.open_requests_for(request.user).filter(pk=pk).first()
    row = None
    if publication is not None:
        row = _row(publication, coordinated=_coordinated(request.user), user=request.user)
    return _render_row(request, row, focus="queue-messages")


def _queue_action(request, pk, *, permission, form_class, form_key, perform):
    """Run one action on a request; answer with the row (htmx) or a redirect (plain POST)."""
    publication = selectors.publication_request(pk)
    if publication is None or not allowed(
        request.user, "solutions.view_publication_request", publication
    ):
        raise Http404(_("There is no publication request at this address, or you may not see it."))
    pages.require(request.user, permission, publication)

    def again(form):
        if pages.is_htmx(request):
            row = _row(
                publication,
                coordinated=_coordinated(request.user),
                user=request.user,
                bound=(form_key, form),
            )
            return _render_row(request, row, focus=pages.first_error_id(form))
        return _render_queue(request, failed=(publication.pk, form_key, form), status=400)

    # A refusal naming no field of the form means the request moved on (someone decided
    # first), or the release may not be made: the message says so, the row shows it as it is.
    return pages.decide(
        request,
        form=form_class(request.POST, auto_id=f"r{publication.pk}-%s"),
        perform=lambda data: perform(publication, data),
        answer=lambda: _answer(request, pk),
        again=again,
    )


@login_required
@require_POST
def approve(request, pk):
    def perform(publication, data):
        release = services.approve_publication(actor=request.user, publication_request=publication)
        return _("%(solution)s %(version)s is published.") % {
            "solution": release.solution.name,
            "version": release.version,
        }

    return _queue_action(
        request,
        pk,
        permission="solutions.decide_publication",
        form_class=DecisionForm,
        form_key="approve_form",
        perform=perform,
    )


@login_required
@require_POST
def reject(request, pk):
    def perform(publication, data):
        services.reject_publication(
            actor=request.user, publication_request=publication, reason=data["reason"]
        )
        return _("The publication of %(product)s %(version)s is rejected.") % {
            "product": publication.increment.product.name,
            "version": publication.version,
        }

    return _queue_action(
        request,
        pk,
        permission="solutions.decide_publication",
        form_class=RejectForm,
        form_key="reject_form",
        perform=perform,
    )


@login_required
@require_POST
def withdraw(request, pk):
    def perform(publication, data):
        services.withdraw_publication(actor=request.user, publication_request=publication)
        return _("Your request to publish %(product)s %(version)s is withdrawn.") % {
            "product": publication.increment.product.name,
            "version": publication.version,
        }

    return _queue_action(
        request,
        pk,
        permission="solutions.withdraw_publication",
        form_class=DecisionForm,
        form_key="withdraw_form",
        perform=perform,
    )


urlpatterns = [
    path("solutions/publish/<int:increment_id>/", publish, name="publish"),
    path("solutions/publication-requests/", queue, name="publication_requests"),
    path(
        "solutions/publication-requests/<int:pk>/approve",
        approve,
        name="publication_approve",
    ),
    path("solutions/publication-requests/<int:pk>/reject", reject, name="publication_reject"),
    path(
        "solutions/publication-requests/<int:pk>/withdraw",
        withdraw,
        name="publication_withdraw",
    ),
]
