"""Increments and acceptance: a new increment, submitting it, a verdict and an answer."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from sprints.forms._common import IMAGE_SIGNATURES, IMAGE_TYPES, SCREENSHOT_MAX_BYTES, DateInput
from sprints.models import ItemStatus


class IncrementForm(ServiceErrorsMixin, forms.Form):
    version = forms.CharField(
        label=_("Version"),
        max_length=50,
        help_text=_("Such as 1.4.0."),
        error_messages={"required": _("Give the increment a version, such as 1.4.0.")},
    )
    sprint = forms.ModelChoiceField(
        queryset=None,
        label=_("Sprint"),
        required=False,
        empty_label=_("No particular sprint"),
    )
    items = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Done items it delivers"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the done items this increment delivers."),
            "invalid_choice": _("Only done items of this product can be delivered."),
        },
    )
    release_notes = forms.CharField(
        label=_("Release notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    git_ref = forms.CharField(
        label=_("Git reference"),
        required=False,
        max_length=200,
        help_text=_(
            "Optional: a tag, branch or commit SHA. The branches and tags of the product's "
            "synced repositories are suggested."
        ),
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sprint"].queryset = product.sprints.order_by("-number")
        self.fields["sprint"].label_from_instance = lambda s: (
            _("Sprint %(number)s") % {"number": s.number}
        )
        self.fields["items"].queryset = (
            product.items.filter(status=ItemStatus.DONE)
            .select_related("product")
            .order_by("position")
        )
        self.fields["items"].label_from_instance = lambda i: f"{i.reference} {i.title}"


class SubmitIncrementForm(ServiceErrorsMixin, forms.Form):
    deadline = forms.DateField(
        label=_("Deadline for the verdicts"),
        widget=DateInput,
        error_messages={
            "required": _("Give the deadline for the verdicts."),
            "invalid": _("Enter the deadline as a date, such as 2025-03-31."),
        },
    )
    testers = forms.TypedMultipleChoiceField(
        label=_("Testers to ask"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one tester to ask."),
            "invalid_choice": _(
                "Only the product's testers who do not build or own it can be asked."
            ),
        },
    )

    def __init__(self, *args, testers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["testers"].choices = [
            (t.pk, t.get_full_name() or t.get_username()) for t in testers
        ]
        self.fields["testers"].initial = [t.pk for t in testers]


class VerdictForm(ServiceErrorsMixin, forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Your verdict"),
        widget=forms.RadioSelect,
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        error_messages={
            "required": _("Choose whether you accept or reject this item."),
            "invalid_choice": _("Choose whether you accept or reject this item."),
        },
    )
    remarks = forms.CharField(
        label=_("Remarks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject: say what is wrong."),
    )
    screenshot = forms.FileField(
        label=_("Screenshot (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
        help_text=_("A PNG, JPEG, GIF or WebP image of at most 5 MB."),
        error_messages={"empty": _("The screenshot file is empty.")},
    )

    def clean_screenshot(self):
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        if upload.size > SCREENSHOT_MAX_BYTES:
            raise ValidationError(_("A screenshot is at most 5 MB; this file is larger."))
        head = upload.read(16)
        upload.seek(0)
        kind = next(
            (
                name
                for name, signatures in IMAGE_SIGNATURES.items()
                if any(head.startswith(s) for s in signatures)
                and (name != "webp" or head[8:12] == b"WEBP")
            ),
            None,
        )
        if kind is None:
            raise ValidationError(_("A screenshot must be a PNG, JPEG, GIF or WebP image."))
        return upload

    def clean(self):
        cleaned = super().clean()
        cleaned["remarks"] = (cleaned.get("remarks") or "").strip()
        if cleaned.get("decision") == "reject" and not cleaned["remarks"]:
            self.add_error("remarks", _("Say what is wrong: a rejection needs remarks."))
        return cleaned


class AnswerForm(forms.Form):
    """One answer on the tester's page: on a criterion, or (without one) on the item."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    criterion = forms.IntegerField(widget=forms.HiddenInput, required=False)
    met = forms.ChoiceField(
        required=False,
        choices=[("", "-"), ("yes", _("Met")), ("no", _("Not met"))],
        error_messages={"invalid_choice": _("Choose met or not met.")},
    )
    remarks = forms.CharField(label=_("What is wrong?"), required=False)
    screenshot = forms.FileField(
        label=_("Screenshot (optional)"),
        required=False,
        error_messages={"empty": _("The screenshot file is empty.")},
    )

    clean_screenshot = VerdictForm.clean_screenshot

    def clean_met(self):
        return {"yes": True, "no": False}.get(self.cleaned_data.get("met"))
