"""Pages of the e-mail half: the preferences page, and the unsubscribe link of every mail.

The unsubscribe link works without signing in: its signed token names the person and the kind,
and nothing else can be changed with it. Opening it (a GET, which mail scanners also do) only
asks; the button (a POST, which is also what a mail program's one-click unsubscribe sends,
RFC 8058) switches the kind off.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import mail
from notifications.models import Channel, Kind, default_channel


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of your mails"), choices=())

    def __init__(self, *args, channels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=channels[kind.value],
                help_text=_("Default: %(channel)s")
                % {"channel": Channel(default_channel(kind)).label},
            )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    channels = mail.channels_for([request.user.pk])[request.user.pk]
    form = PreferencesForm(
        request.POST or None,
        channels=channels,
        initial={"language": mail.language_for(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        mail.set_language(person=request.user, language=form.cleaned_data["language"])
        for kind in Kind.values:
            if form.cleaned_data[kind] != channels[kind]:
                mail.set_channel(person=request.user, kind=kind, channel=form.cleaned_data[kind])
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("notification_mail:preferences")
    kind_fields = [form[kind] for kind in Kind.values]
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "kind_fields": kind_fields},
    )


def _read(token):
    try:
        person_id, kind = mail.read_unsubscribe_token(token)
    except signing.BadSignature:
        raise Http404(_("This unsubscribe link is not valid.")) from None
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise Http404(_("This unsubscribe link is not valid."))
    return person, kind


@csrf_exempt  # The signed token is the authorisation; mail programs post without a form.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    person, kind = _read(token)
    label = _("the daily mail") if kind == mail.DIGEST else Kind(kind).label
    done = request.method == "POST"
    if done:
        mail.unsubscribe(person_id=person.pk, kind=kind)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": label, "done": done, "token": token},
        status=200,
    )
