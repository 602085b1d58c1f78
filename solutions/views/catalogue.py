"""The public catalogue pages: search with facets, the solution page, similar solutions.

No login needed. The catalogue is a plain GET form that works without JavaScript; with htmx,
the facets and results are swapped in place (the same view answers the partial).
"""

from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from deelbaar import pages
from deelbaar.errors import NotFound
from solutions.forms.catalogue import CatalogueForm, SimilarForm
from solutions.selectors import catalogue as selectors
from solutions.selectors.maintenance import maintenance_of


@require_GET
def catalogue_page(request):
    form = CatalogueForm(request.GET)
    result = form.search()
    query = request.GET.copy()
    query.pop("page", None)
    # "Clear filters" keeps the words and the sort, drops every ticked value.
    kept = QueryDict(mutable=True)
    for name in ("q", "sort"):
        if request.GET.get(name):
            kept[name] = request.GET[name]
    filter_count = sum(len(values) for values in result.filters.values()) if result else 0
    context = {
        "filter_count": filter_count,
        "clear_filters_url": f"{reverse('solutions:catalogue')}?{kept.urlencode()}".rstrip("?"),
        # Ticking a filter (htmx names #catalogue-body as the trigger) keeps the disclosure open.
        "filters_open": pages.is_htmx(request)
        and request.headers.get("HX-Trigger") == "catalogue-body",
        "form": form,
        "result": result,
        "facets": [(name, label, result.facets[name]) for name, label in selectors.FACETS.items()]
        if result
        else [],
        "query_prefix": f"{query.urlencode()}&" if query else "",
        "filtered": bool(query),
    }
    if pages.is_htmx(request):
        # 200 even with errors: htmx swaps only successful answers, and the errors are in it.
        response = render(request, "solutions/catalogue/_body.html", {**context, "oob": True})
    else:
        status = 400 if form.errors else 200
        response = render(request, "solutions/catalogue.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def solution_page(request, slug):
    try:
        solution = selectors.solution_detail(slug)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "solutions/solution_detail.html",
        {"solution": solution, "maintenance": maintenance_of(solution)},
    )


@require_GET
def similar_solutions(request):
    """The list of existing solutions like a proposal (?title=&description=, or the product
    form's name and vision), for forms to swap in."""
    form = SimilarForm(request.GET)
    similar = []
    if form.is_valid() and form.cleaned_data["title"].strip():
        similar = selectors.similar_to(form.cleaned_data["title"], form.cleaned_data["description"])
    return render(request, "solutions/catalogue/_similar.html", {"similar": similar, "form": form})


urlpatterns = [
    path("solutions/", catalogue_page, name="catalogue"),
    path("solutions/similar/", similar_solutions, name="similar"),
    path("solutions/<slug:slug>/", solution_page, name="detail"),
]
