"""The metadata pages: a solution's publiccode.yml to download, its metadata form, and the
import of a publiccode.yml.

The download is public. Editing is for those the rule `solutions.edit_solution` allows (the
cooperative's coordinators, the source product's owners); importing a new solution is for a
cooperative's coordinators (`solutions.import_solution`). An unknown solution is 404; a person
who may not edit or import gets 403; anonymous visitors are sent to the login page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cooperative.selectors import coordinated_cooperatives
from deelbaar import pages
from deelbaar.errors import DomainError, StaleObject
from deelbaar.permissions import allowed
from solutions.forms.metadata import ImportForm, MetadataForm, changes_since
from solutions.models import Solution
from solutions.publiccode import (
    export_publiccode,
    metadata_problems,
    publiccode_yaml,
    validate_publiccode,
)
from solutions.services import metadata as services


def _solution(slug) -> Solution:
    solution = (
        Solution.objects.select_related("cooperative", "developed_by", "source_product")
        .prefetch_related("categories")
        .filter(slug=slug)
        .first()
    )
    if solution is None:
        raise Http404(_("There is no solution at this address."))
    return solution


def solution_url(solution) -> str:
    """The solution's own page (the catalogue's), or its edit page while there is none."""
    try:
        return reverse("solutions:detail", kwargs={"slug": solution.slug})
    except NoReverseMatch:
        return reverse("solutions:edit", kwargs={"slug": solution.slug})


@require_GET
def download(request, slug):
    """The solution's publiccode.yml, as a file to save."""
    solution = _solution(slug)
    problems = validate_publiccode(export_publiccode(solution))
    if problems:
        # Never an invalid file: say what the metadata still lacks, and who can complete it.
        context = {
            "solution": solution,
            "problems": metadata_problems(problems),
            "can_edit": allowed(request.user, "solutions.edit_solution", solution),
        }
        return render(request, "solutions/publiccode/incomplete.html", context, status=409)
    response = HttpResponse(
        publiccode_yaml(solution), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="publiccode.yml"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    solution = _solution(slug)
    if not allowed(request.user, "solutions.edit_solution", solution):
        raise PermissionDenied
    status, stale = 200, None
    if request.method == "GET":
        form = MetadataForm.for_solution(solution, auto_id="metadata-%s")
    else:
        form = MetadataForm(request.POST, solution=solution, auto_id="metadata-%s")
        if form.is_valid():
            try:
                solution = services.update_solution(
                    actor=request.user,
                    solution=solution,
                    version=form.cleaned_data["version"],
                    **form.service_arguments(),
                )
            except StaleObject as error:
                # What the other person changed, and this person's input kept, now based on
                # the current version: saving again is a deliberate choice.
                solution = _solution(slug)
                stale = {
                    "message": str(error.message),
                    "changes": changes_since(form.cleaned_data["original"], solution),
                }
                form = form.restarted_from(solution)
                status = error.status_code
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": solution.name})
                return redirect(solution_url(solution))
    context = {
        "solution": solution,
        "form": form,
        "stale": stale,
        "solution_url": solution_url(solution),
    }
    return render(request, "solutions/publiccode/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Paste or upload a publiccode.yml: a new solution in a cooperative's library, or, with
    ?solution=<slug>, new metadata for that solution."""
    target = None
    slug = request.GET.get("solution") or request.POST.get("solution")
    if slug:
        target = _solution(slug)
        if not allowed(request.user, "solutions.edit_solution", target):
            raise PermissionDenied
    cooperatives = coordinated_cooperatives(request.user)
    if target is None and not cooperatives.exists():
        raise PermissionDenied
    form = ImportForm(
        request.POST or None, request.FILES or None, cooperatives=cooperatives, auto_id="import-%s"
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        cooperative = form.cleaned_data.get("cooperative")
        try:
            if target is None and cooperative is None:
                raise DomainError(_("Choose the cooperative's library."), field="cooperative")
            solution = services.import_publiccode(
                actor=request.user,
                cooperative=None if target else cooperative,
                text=form.cleaned_data["content"],
                solution=target,
            )
        except DomainError as error:
            if pages.shown(error).problems:
                problems = [{"path": p[0] or "", "message": p[2]} for p in error.errors]
            else:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("%(name)s is read from its publiccode.yml.") % {"name": solution.name}
            )
            for upgrade in solution.publiccode_upgrades:
                messages.info(
                    request,
                    _("Read from an older publiccode.yml: %(change)s") % {"change": upgrade},
                )
            return redirect(solution_url(solution))
    context = {"form": form, "problems": problems, "target": target}
    return render(request, "solutions/publiccode/import.html", context)


urlpatterns = [
    path("solutions/import/", import_page, name="import"),
    path("solutions/<slug:slug>/publiccode.yml", download, name="publiccode"),
    path("solutions/<slug:slug>/edit/", edit, name="edit"),
]
