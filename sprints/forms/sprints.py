"""Planning a sprint, committing items and a card's status on the board."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from sprints import selectors
from sprints.forms._common import DateInput
from sprints.models import ItemStatus


class PlanSprintForm(ServiceErrorsMixin, forms.Form):
    start = forms.DateField(
        label=_("Start date"),
        widget=DateInput,
        error_messages={
            "required": _("Give the sprint's start date."),
            "invalid": _("Enter the start date as a date, such as 2025-03-31."),
        },
    )
    goal = forms.CharField(
        label=_("Sprint goal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What this sprint delivers, in one sentence."),
    )


class CommitForm(ServiceErrorsMixin, forms.Form):
    items = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Ready items to commit"),
        error_messages={
            "required": _("Choose at least one ready item to commit to the sprint."),
            "invalid_choice": _("%(value)s is not an item of this product's backlog."),
            "invalid_pk_value": _("“%(pk)s” is not an item."),
        },
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = selectors.backlog_for(product)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ItemStatus.TODO, ItemStatus.TODO.label),
            (ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS.label),
            (ItemStatus.DONE, ItemStatus.DONE.label),
        ],
        error_messages={
            "required": _("On the board an item is to do, in progress or done."),
            "invalid_choice": _("On the board an item is to do, in progress or done."),
        },
    )
