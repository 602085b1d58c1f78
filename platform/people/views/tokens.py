"""A person's API tokens page: make one, see them, revoke one.

Thin: the form checks input, `people.services.tokens` decides and writes.
"""

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from deelbaar.errors import DomainError
from people.forms.tokens import TokenForm
from people.selectors import tokens as token_selectors
from people.services import tokens


@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, time.max))
            if expires_on is not None
            else None
        )
        try:
            _token, new_secret = tokens.issue_token(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=expires_at,
            )
        except DomainError as error:
            if error.field == "expires_at":
                error.field = "expires_on"
            form.add_service_error(error)
        else:
            # Shown on this answer only; the page is not cached, and a reload shows the list.
            form = TokenForm()
    response = render(
        request,
        "people/tokens.html",
        {
            "tokens": token_selectors.tokens_of(request.user),
            "form": form,
            "new_secret": new_secret,
            "default_days": settings.DEELBAAR_TOKEN_DAYS,
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_my_token(request, pk):
    token = get_object_or_404(token_selectors.tokens_of(request.user), pk=pk)
    tokens.revoke_token(actor=request.user, token=token)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("access:tokens")
