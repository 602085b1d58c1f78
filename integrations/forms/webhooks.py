"""The form of the webhook pages: subscribing a cooperative to events."""

from django import forms
from django.utils.translation import gettext_lazy

from deelbaar.pages import ServiceErrorsMixin
from integrations.models import WebhookEvent


class SubscriptionForm(ServiceErrorsMixin, forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        help_text=gettext_lazy("The address that receives the events (https)."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
