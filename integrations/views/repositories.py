"""The repository pages of a product: link a repository, see its sync state with a live
progress bar, sync it, replace or remove its access token, unlink it.

A product the person may not view answers 404; linking, syncing, changing the access token
and unlinking need `integrations.manage_repository` (403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError, Unavailable
from deelbaar.permissions import allowed
from integrations.forms.repositories import AccessTokenForm, LinkForm
from integrations.git import scrub
from integrations.models import Repository, SyncState
from integrations.selectors import repositories as selectors
from integrations.services import publiccode as publiccode_services
from integrations.services import repositories as services
from sprints.models import Product

TAGS_SHOWN = 10
COMMITS_PAGE_SIZE = 50


def _product(request, product_id) -> Product:
    product = Product.objects.select_related("cooperative", "owner").filter(pk=product_id).first()
    if product is None or not allowed(request.user, "sprints.view_product", product):
        raise Http404(_("There is no product at this address, or you may not see it."))
    return product


def _repository(product, repository_id) -> Repository:
    repository = get_object_or_404(Repository, product=product, pk=repository_id)
    repository.product = product
    return repository


def _may_manage(user, product) -> bool:
    return allowed(user, "integrations.manage_repository", product)


@login_required
@require_http_methods(["GET", "POST"])
def repository_list(request, product_id):
    product = _product(request, product_id)
    may_manage = _may_manage(request.user, product)
    form = LinkForm(request.POST or None, auto_id="link-%s") if may_manage else None
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                repository = services.link_repository(
                    actor=request.user, product=product, **form.cleaned_data
                )
            except DomainError as error:
                if any(code == "credentials" for _f, code, _m in pages.shown(error).errors):
                    # Not even back to the person who typed it: pages get cached and shared.
                    form.data = form.data.copy()
                    form.data["url"] = scrub(form.data.get("url", ""))
                for field, _code, message in error.errors:
                    form.add_error(field if field in form.fields else None, message)
            else:
                if repository.state == SyncState.FAILED:
                    messages.error(request, repository.state_message)
                else:
                    messages.success(
                        request, _("The repository is linked; its first sync is queued.")
                    )
                return redirect(
                    "integrations:repository_detail",
                    product_id=product.pk,
                    repository_id=repository.pk,
                )
        status = 400
    context = {
        "product": product,
        "repositories": selectors.repositories_of(product),
        "form": form,
        "may_manage": may_manage,
    }
    return render(request, "integrations/repository/list.html", context, status=status)


def _detail_context(request, product, repository, token_form=None) -> dict:
    may_manage = _may_manage(request.user, product)
    if may_manage and token_form is None:
        token_form = AccessTokenForm(auto_id="token-%s")
    return {
        "product": product,
        "repository": repository,
        "may_manage": may_manage,
        "token_form": token_form if may_manage else None,
        # Lazy: read only by the pages that show the tags, not by the status part.
        "tags": selectors.tags_of(repository),
        "tags_shown": TAGS_SHOWN,
    }


def _publiccode_context(request, repository, error=None) -> dict:
    solution = publiccode_services.solution_of(repository.product)
    summary = publiccode_services.publiccode_summary(repository)
    return {
        **summary,
        "fields": publiccode_services.labelled_fields(summary["fields"]),
        "solution": solution,
        "may_apply": publiccode_services.may_apply(request.user, repository, solution),
        # A refused "use these values": its message and every problem with its key path.
        "error": error,
        "error_problems": [(f, m) for f, _c, m in error.problems] if error else [],
    }


@login_required
@require_GET
def repository_detail(request, product_id, repository_id):
    product = _product(request, product_id)
    repository = _repository(product, repository_id)
    context = _detail_context(request, product, repository)
    paginator = Paginator(selectors.commits_of(repository), COMMITS_PAGE_SIZE)
    context["page_obj"] = paginator.get_page(request.GET.get("page"))
    context["publiccode"] = _publiccode_context(request, repository)
    if request.GET.get("tags") != "all":
        _newest_tags(context)
    return render(request, "integrations/repository/detail.html", context)


def _newest_tags(context) -> None:
    # The newest few, each with its changelog; the rest one link away.
    tags = list(context["tags"][: TAGS_SHOWN + 1])
    context["tags"], context["more_tags"] = tags[:TAGS_SHOWN], len(tags) > TAGS_SHOWN


@login_required
@require_POST
def repository_apply_publiccode(request, product_id, repository_id):
    """Use the publiccode.yml's values for the product's solution; a refusal shows the page
    again (400) with every problem."""
    product = _product(request, product_id)
    repository = _repository(product, repository_id)
    try:
        solution = publiccode_services.apply_publiccode(actor=request.user, repository=repository)
    except DomainError as error:
        pages.shown(error)
        context = _detail_context(request, product, repository)
        paginator = Paginator(selectors.commits_of(repository), COMMITS_PAGE_SIZE)
        context["page_obj"] = paginator.get_page(1)
        context["publiccode"] = _publiccode_context(request, repository, error)
        return render(request, "integrations/repository/detail.html", context, status=400)
    messages.success(
        request,
        _("%(solution)s now has the values of the publiccode.yml.") % {"solution": solution.name},
    )
    url = reverse(
        "integrations:repository_detail",
        kwargs={"product_id": product.pk, "repository_id": repository.pk},
    )
    return redirect(f"{url}#publiccode-heading")


@login_required
@require_POST
def repository_access_token(request, product_id, repository_id):
    """Replace or remove the access token; a refusal shows the page again (400) with the
    form's problems, the token field empty."""
    product = _product(request, product_id)
    repository = _repository(product, repository_id)
    if not _may_manage(request.user, product):
        raise PermissionDenied
    form = AccessTokenForm(request.POST, auto_id="token-%s")
    if form.is_valid():
        values = form.cleaned_data
        try:
            services.set_access_token(
                actor=request.user,
                repository=repository,
                access_username=values["access_username"],
                access_token=values["access_token"],
            )
        except DomainError as error:
            for field, _code, message in pages.shown(error).errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            if values["change"] == AccessTokenForm.REMOVE:
                messages.success(
                    request, _("The access token is removed: git reads the repository without one.")
                )
            else:
                messages.success(
                    request, _("The new access token is saved; the next sync uses it.")
                )
            url = reverse(
                "integrations:repository_detail",
                kwargs={"product_id": product.pk, "repository_id": repository.pk},
            )
            return redirect(f"{url}#access-token-heading")
    context = _detail_context(request, product, repository, token_form=form)
    paginator = Paginator(selectors.commits_of(repository), COMMITS_PAGE_SIZE)
    context["page_obj"] = paginator.get_page(1)
    context["publiccode"] = _publiccode_context(request, repository)
    _newest_tags(context)
    return render(request, "integrations/repository/detail.html", context, status=400)


@login_required
@require_GET
def repository_status(request, product_id, repository_id):
    """The state part of the repository page, fetched again by the live script."""
    product = _product(request, product_id)
    repository = _repository(product, repository_id)
    context = _detail_context(request, product, repository)
    return render(request, "integrations/repository/_status.html", context)


@login_required
@require_POST
def repository_sync(request, product_id, repository_id):
    product = _product(request, product_id)
    repository = _repository(product, repository_id)
    try:
        services.request_sync(actor=request.user, repository=repository)
    except Unavailable as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The sync is queued."))
    url = reverse(
        "integrations:repository_detail",
        kwargs={"product_id": product.pk, "repository_id": repository.pk},
    )
    return redirect(f"{url}#main")


@login_required
@require_POST
def repository_unlink(request, product_id, repository_id):
    product = _product(request, product_id)
    repository = _repository(product, repository_id)
    services.unlink_repository(actor=request.user, repository=repository)
    messages.success(request, _("The repository is unlinked."))
    return redirect("integrations:repository_list", product_id=product.pk)


REPOSITORY = "products/<int:product_id>/repository/<int:repository_id>/"

urlpatterns = [
    path("products/<int:product_id>/repository/", repository_list, name="repository_list"),
    path(REPOSITORY, repository_detail, name="repository_detail"),
    path(REPOSITORY + "status/", repository_status, name="repository_status"),
    path(REPOSITORY + "sync", repository_sync, name="repository_sync"),
    path(REPOSITORY + "unlink", repository_unlink, name="repository_unlink"),
    path(REPOSITORY + "access-token", repository_access_token, name="repository_access_token"),
    path(
        REPOSITORY + "publiccode/apply",
        repository_apply_publiccode,
        name="repository_apply_publiccode",
    ),
]
