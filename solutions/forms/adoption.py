"""The forms of adoption and reviews. They read and check input; the services decide."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from solutions.services.adoption import REMARKS_MAX, REVIEW_TEXT_MAX

if TYPE_CHECKING:
    from cooperative.models import Organisation
    from solutions.models import Release


class AdoptForm(ServiceErrorsMixin, forms.Form):
    """Adopt for one organisation of the person's (a hidden field: one button per
    organisation)."""

    # An organisation without an active membership is told why it may not adopt (403, with
    # the reason and how to join), not shown the bare 403 page.
    refusals_shown = True

    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        label=_("Organisation"),
        error_messages={
            "required": _("Choose the organisation you adopt for."),
            "invalid_choice": _("You can only adopt for an organisation you work for."),
        },
    )
    remarks = forms.CharField(
        label=_("Remarks (optional)"),
        required=False,
        max_length=REMARKS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For instance what you will use it for, or when."),
        error_messages={"max_length": _("Remarks have at most %(limit_value)d characters.")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ReleaseForm(ServiceErrorsMixin, forms.Form):
    """Choose a release: to take into use (any) or to upgrade to (only newer ones)."""

    release: "forms.ModelChoiceField[Release]" = forms.ModelChoiceField(
        queryset=None,
        label=_("Release"),
        empty_label=None,
        error_messages={
            "required": _("Choose a release."),
            "invalid_choice": _("Choose one of the releases listed."),
        },
    )

    def __init__(self, *args, releases, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = releases
        self.fields["release"].label_from_instance = lambda release: release.version
        if label:
            self.fields["release"].label = label


class StopForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REMARKS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("A reason has at most %(limit_value)d characters.")},
    )


SCORES = [(n, str(n)) for n in range(1, 6)]


class ReviewForm(ServiceErrorsMixin, forms.Form):
    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        queryset=None,
        label=_("Review for"),
        empty_label=None,
        error_messages={
            "required": _("Choose the organisation you review for."),
            "invalid_choice": _(
                "You can only review for an organisation of yours that has the solution in use."
            ),
        },
    )
    score = forms.TypedChoiceField(
        label=_("Score (1 is poor, 5 is excellent)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Give a score from 1 to 5."),
            "invalid_choice": _("A score is a whole number from 1 to 5."),
        },
    )
    pros = forms.CharField(
        label=_("Pros"),
        required=False,
        max_length=REVIEW_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("This has at most %(limit_value)d characters.")},
    )
    cons = forms.CharField(
        label=_("Cons"),
        required=False,
        max_length=REVIEW_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("This has at most %(limit_value)d characters.")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
