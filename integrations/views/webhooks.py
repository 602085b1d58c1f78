"""The webhook pages: a cooperative's subscriptions (list, subscribe form, the secret shown
once after subscribing or rotating) and a subscription's delivery log with redeliver.

Only the cooperative's coordinators (`integrations.manage_webhooks`) see them: a cooperative is
public, so anyone else gets 403; a subscription of another cooperative is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperative.models import Cooperative
from deelbaar import pages
from deelbaar.errors import DomainError
from deelbaar.permissions import allowed
from integrations.forms.webhooks import SubscriptionForm
from integrations.selectors import webhooks as selectors
from integrations.services import webhooks as services

PAGE_SIZE = 25


def _cooperative(request, slug) -> Cooperative:
    cooperative = Cooperative.objects.filter(slug=slug).first()
    if cooperative is None:
        raise Http404(_("There is no cooperative at this address."))
    if not allowed(request.user, "integrations.manage_webhooks", cooperative):
        raise PermissionDenied
    return cooperative


def _subscription(cooperative, pk):
    found = selectors.subscription(pk)
    if found is None or found.cooperative_id != cooperative.pk:
        raise Http404(_("There is no such webhook subscription."))
    return found


def _list_page(request, cooperative, *, form=None, secret_for=None, status=200):
    return render(
        request,
        "integrations/webhooks/list.html",
        {
            "cooperative": cooperative,
            "subscriptions": selectors.subscriptions_of(cooperative),
            "form": form or SubscriptionForm(),
            "secret_for": secret_for,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request, slug):
    cooperative = _cooperative(request, slug)
    if request.method == "GET":
        return _list_page(request, cooperative)
    form = SubscriptionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            subscription = services.create_subscription(
                actor=request.user, cooperative=cooperative, **form.cleaned_data
            )
        except DomainError as error:
            form.add_service_error(error)
            status = error.status_code
        else:
            # Shown now and never again: rendered, not redirected, so it is kept nowhere.
            return _list_page(request, cooperative, secret_for=subscription)
    return _list_page(request, cooperative, form=form, status=status)


@login_required
@require_POST
def rotate_secret(request, slug, pk):
    cooperative = _cooperative(request, slug)
    subscription = services.rotate_secret(
        actor=request.user, subscription=_subscription(cooperative, pk)
    )
    return _list_page(request, cooperative, secret_for=subscription)


@login_required
@require_POST
def toggle(request, slug, pk):
    cooperative = _cooperative(request, slug)
    subscription = _subscription(cooperative, pk)
    services.update_subscription(
        actor=request.user, subscription=subscription, active=not subscription.active
    )
    return redirect("integrations:webhooks", slug=cooperative.slug)


@login_required
@require_POST
def delete(request, slug, pk):
    cooperative = _cooperative(request, slug)
    services.delete_subscription(actor=request.user, subscription=_subscription(cooperative, pk))
    messages.success(request, _("The webhook subscription is deleted."))
    return redirect("integrations:webhooks", slug=cooperative.slug)


@login_required
@require_GET
def deliveries(request, slug, pk):
    cooperative = _cooperative(request, slug)
    subscription = _subscription(cooperative, pk)
    page = Paginator(selectors.deliveries_of(subscription), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "integrations/webhooks/deliveries.html",
        {"cooperative": cooperative, "subscription": subscription, "page": page},
    )


@login_required
@require_POST
def redeliver(request, slug, pk, delivery_pk):
    cooperative = _cooperative(request, slug)
    subscription = _subscription(cooperative, pk)
    delivery = selectors.delivery(subscription, delivery_pk)
    if delivery is None:
        raise Http404(_("There is no such delivery."))
    try:
        services.redeliver(actor=request.user, delivery=delivery)
    except DomainError as error:
        messages.error(request, pages.shown(error).message)
    else:
        messages.success(
            request,
            _("Delivery %(id)s is being sent again.") % {"id": delivery.message_id},
        )
    return redirect("integrations:webhook-deliveries", slug=cooperative.slug, pk=subscription.pk)


BASE = "cooperatives/<slug:slug>/webhooks/"

urlpatterns = [
    path(BASE, webhook_list, name="webhooks"),
    path(f"{BASE}<int:pk>/rotate-secret/", rotate_secret, name="webhook-rotate-secret"),
    path(f"{BASE}<int:pk>/toggle/", toggle, name="webhook-toggle"),
    path(f"{BASE}<int:pk>/delete/", delete, name="webhook-delete"),
    path(f"{BASE}<int:pk>/deliveries/", deliveries, name="webhook-deliveries"),
    path(
        f"{BASE}<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        redeliver,
        name="webhook-redeliver",
    ),
]
