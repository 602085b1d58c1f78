"""The adoption pages: a solution's adoption page (where it is in use, adopting, the visitor's
own adoptions and upgrades, reviews), the review form, and a cooperative's reuse figures.

The sections are shared with the solution page through the template tags in
solutions/templatetags/solution_adoption.py, which render the same templates with the same
context. Forms post here and come back to `next` (a path on this site) or the adoption page.
Reading is public; changing needs a login, and the services check the person acts for their
own organisation, entitled under the cooperative.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperative.models import Cooperative
from cooperative.selectors import organisations_of
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from solutions import charts
from solutions.forms.adoption import AdoptForm, ReleaseForm, ReviewForm, StopForm
from solutions.models import Adoption, AdoptionState, Solution
from solutions.selectors import reuse
from solutions.services import adoption as services


# --- Finding things ----------------------------------------------------------------------------
def _solution(slug) -> Solution:
    solution = Solution.objects.select_related("cooperative").filter(slug=slug).first()
    if solution is None:
        raise Http404(_("There is no solution at this address."))
    return solution


def _adoption(solution, pk) -> Adoption:
    adoption = (
        Adoption.objects.select_related("solution__cooperative", "organisation", "release")
        .filter(solution=solution, pk=pk)
        .first()
    )
    if adoption is None:
        raise Http404(_("There is no such adoption of this solution."))
    return adoption


def _back(request, solution):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("solutions:adoption", slug=solution.slug)


def reviewing_organisations(user, solution):
    """The person's organisations that have the solution in use, and so may review it."""
    in_use = Adoption.objects.filter(
        solution=solution, organisation=OuterRef("pk"), state=AdoptionState.IN_USE
    )
    return organisations_of(user).filter(Exists(in_use))


# --- The sections' context ---------------------------------------------------------------------
def adoption_context(request, solution, *, forms=None) -> dict:
    """What the adoption section shows this visitor. `forms` holds bound forms with errors,
    keyed as the template expects: "adopt-<organisation id>", "<action>-<adoption id>"."""
    forms = forms or {}
    user = request.user
    context = {
        "solution": solution,
        # A refused form is summarised at the top of the section, whichever form it was.
        "failed": next(iter(forms.values()), None),
        "where": reuse.where_in_use(solution),
        "next": request.get_full_path(),
        "own": [],
        "offers": [],
        "join_url": reverse("cooperative:join", args=[solution.cooperative.slug]),
    }
    if not user.is_authenticated:
        return context
    own = reuse.own_adoptions(user, solution)
    releases = list(reuse.releases_newest_first(solution))
    for adoption in own:
        adoption.take_form = forms.get(f"take-{adoption.pk}") or ReleaseForm(
            releases=solution.releases.all(),
            initial={"release": releases[0].pk if releases else None},
            auto_id=f"take-{adoption.pk}-%s",
        )
        newer = reuse.newer_releases(solution, adoption.release)
        adoption.newer_releases = newer
        adoption.upgrade_form = forms.get(f"upgrade-{adoption.pk}") or ReleaseForm(
            releases=solution.releases.filter(pk__in=[r.pk for r in newer]),
            initial={"release": newer[0].pk if newer else None},
            label=_("Newer release"),
            auto_id=f"upgrade-{adoption.pk}-%s",
        )
        adoption.stop_form = forms.get(f"stop-{adoption.pk}") or StopForm(
            auto_id=f"stop-{adoption.pk}-%s"
        )
    context["own"] = own
    adopting = {adoption.organisation_id for adoption in own}
    for organisation in organisations_of(user):
        if organisation.pk in adopting:
            continue
        offer = reuse.entitlement(organisation, solution.cooperative)
        offer.form = forms.get(f"adopt-{organisation.pk}") or AdoptForm(
            organisations=organisations_of(user),
            initial={"organisation": organisation.pk},
            auto_id=f"adopt-{organisation.pk}-%s",
        )
        context["offers"].append(offer)
    return context


def reviews_context(request, solution) -> dict:
    reviewers = reviewing_organisations(request.user, solution)
    return {
        "solution": solution,
        "reviews": list(reuse.reviews_of(solution)),
        "average": reuse.average_score(solution),
        "may_review": request.user.is_authenticated and reviewers.exists(),
    }


# --- Pages -------------------------------------------------------------------------------------
def _page(request, solution, *, forms=None, status=200):
    return render(
        request,
        "solutions/adoption/page.html",
        {
            "solution": solution,
            "solution_url": f"/solutions/{solution.slug}/",
            **adoption_context(request, solution, forms=forms),
            **reviews_context(request, solution),
        },
        status=status,
    )


@require_GET
def adoption_page(request, slug):
    return _page(request, _solution(slug))


def _status(error) -> int:
    return error.status_code if isinstance(error, DomainError) else 400


@login_required
@require_POST
def adopt(request, slug):
    solution = _solution(slug)
    organisations = organisations_of(request.user)
    if not organisations.exists():
        raise PermissionDenied
    chosen = request.POST.get("organisation", "")
    form = AdoptForm(
        request.POST,
        organisations=organisations,
        auto_id=f"adopt-{chosen if chosen.isdigit() else 'x'}-%s",
    )
    if form.is_valid():
        try:
            services.request_adoption(
                actor=request.user,
                solution=solution,
                organisation=form.cleaned_data["organisation"],
                remarks=form.cleaned_data["remarks"],
            )
        except DomainError as error:
            form.add_service_error(error)
            status = _status(error)
        else:
            messages.success(
                request,
                _("%(organisation)s has adopted %(solution)s. Take it into use when you run it.")
                % {"organisation": form.cleaned_data["organisation"], "solution": solution},
            )
            return _back(request, solution)
    else:
        status = 400
    key = f"adopt-{chosen}" if chosen.isdigit() else "adopt-x"
    return _page(request, solution, forms={key: form}, status=status)


def _transition(request, slug, pk, action):
    solution = _solution(slug)
    adoption = _adoption(solution, pk)
    if not allowed(request.user, "solutions.act_for_organisation", adoption.organisation):
        raise PermissionDenied
    auto_id = f"{action}-{adoption.pk}-%s"
    if action in ("take", "upgrade"):
        form = ReleaseForm(request.POST, releases=solution.releases.all(), auto_id=auto_id)
    else:
        form = StopForm(request.POST, auto_id=auto_id)
    status = 400
    if form.is_valid():
        try:
            if action == "take":
                services.take_into_use(
                    actor=request.user, adoption=adoption, release=form.cleaned_data["release"]
                )
                message = _("%(organisation)s now has %(solution)s %(version)s in use.")
            elif action == "upgrade":
                services.upgrade(
                    actor=request.user, adoption=adoption, release=form.cleaned_data["release"]
                )
                message = _("%(organisation)s now runs %(solution)s %(version)s.")
            else:
                services.stop_adoption(
                    actor=request.user, adoption=adoption, reason=form.cleaned_data["reason"]
                )
                message = _("%(organisation)s has stopped using %(solution)s.")
        except DomainError as error:
            form.add_service_error(error)
            status = _status(error)
        else:
            release = form.cleaned_data.get("release")
            messages.success(
                request,
                message
                % {
                    "organisation": adoption.organisation,
                    "solution": solution,
                    "version": release.version if release else "",
                },
            )
            return _back(request, solution)
    return _page(request, solution, forms={f"{action}-{adoption.pk}": form}, status=status)


@login_required
@require_POST
def take_into_use(request, slug, pk):
    return _transition(request, slug, pk, "take")


@login_required
@require_POST
def upgrade(request, slug, pk):
    return _transition(request, slug, pk, "upgrade")


@login_required
@require_POST
def stop(request, slug, pk):
    return _transition(request, slug, pk, "stop")


@login_required
@require_http_methods(["GET", "POST"])
def review(request, slug):
    solution = _solution(slug)
    organisations = reviewing_organisations(request.user, solution)
    if not organisations.exists():
        raise PermissionDenied
    existing = {
        r.organisation_id: r for r in solution.reviews.filter(organisation__in=organisations)
    }
    initial = {}
    only = list(organisations[:2])
    if len(only) == 1:
        # One organisation to review for: start from its review, if it wrote one.
        initial["organisation"] = only[0].pk
        if only[0].pk in existing:
            mine = existing[only[0].pk]
            initial.update(score=mine.score, pros=mine.pros, cons=mine.cons)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
        auto_id="review-%s",
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.review_solution(actor=request.user, solution=solution, **form.cleaned_data)
            except DomainError as error:
                form.add_service_error(error)
                status = _status(error)
            else:
                messages.success(
                    request,
                    _("The review of %(organisation)s is saved.")
                    % {"organisation": form.cleaned_data["organisation"]},
                )
                return _back(request, solution)
    return render(
        request,
        "solutions/adoption/review.html",
        {
            "solution": solution,
            "form": form,
            "revising": bool(existing),
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
        status=status,
    )


@require_GET
def reuse_page(request, slug):
    cooperative = Cooperative.objects.filter(slug=slug).first()
    if cooperative is None:
        raise Http404(_("There is no cooperative at this address."))
    figures = reuse.reuse_figures(cooperative)
    in_use = figures.in_use
    adoptions_chart = charts.bar_chart(
        [
            {
                "key": row.solution.slug,
                "label": row.solution.name,
                "value": row.adoptions,
                "text": str(row.adoptions),
            }
            for row in in_use
        ]
    )
    by_cost = sorted(
        (row for row in in_use if row.cost_avoided),
        key=lambda row: (-row.cost_avoided, row.solution.name.lower()),
    )
    cost_chart = charts.bar_chart(
        [
            {
                "key": row.solution.slug,
                "label": row.solution.name,
                "value": row.cost_avoided,
                "text": row.cost_avoided,
            }
            for row in by_cost
        ]
    )
    return render(
        request,
        "solutions/adoption/reuse.html",
        {
            "cooperative": cooperative,
            "figures": figures,
            "in_use": in_use,
            "by_cost": by_cost,
            "not_in_use": len(figures.solutions) - len(in_use),
            "adoptions_chart": adoptions_chart,
            "cost_chart": cost_chart,
        },
    )


urlpatterns = [
    path("solutions/<slug:slug>/adoption/", adoption_page, name="adoption"),
    path("solutions/<slug:slug>/adoption/adopt/", adopt, name="adopt"),
    path(
        "solutions/<slug:slug>/adoptions/<int:pk>/take-into-use/",
        take_into_use,
        name="adoption_take_into_use",
    ),
    path("solutions/<slug:slug>/adoptions/<int:pk>/upgrade/", upgrade, name="adoption_upgrade"),
    path("solutions/<slug:slug>/adoptions/<int:pk>/stop/", stop, name="adoption_stop"),
    path("solutions/<slug:slug>/review/", review, name="review"),
    path("cooperatives/<slug:slug>/reuse/", reuse_page, name="reuse"),
]
