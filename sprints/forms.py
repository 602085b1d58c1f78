"""The forms of the sprints pages. They read and check input; the services change state."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cooperative.models import Membership, MembershipRole, MembershipState
from deelbaar.pages import ServiceErrorsMixin
from sprints import selectors
from sprints.models import ESTIMATES, ItemKind, ItemStatus, Product

SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
# The image formats a screenshot may have, by the bytes a file of that format starts with.
IMAGE_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp"


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits ISO dates, which every locale accepts."""

    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


def _estimate_choices():
    return [("", _("No estimate yet")), *((str(e), str(e)) for e in ESTIMATES)]


def criteria_text(criteria) -> str:
    return "\n".join(criteria or [])


# --- Products --------------------------------------------------------------------------------
class ProductForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"owner": "pilot", "cooperative": "pilot", "sprint_length_days": "weeks"}

    pilot = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label=_("Pilot organisation and cooperative"),
        empty_label=_("Choose the pilot that develops the product"),
        error_messages={
            "required": _("Choose the pilot organisation that develops the product."),
            "invalid_choice": _("Choose one of the pilots listed; you cannot start one for it."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={
            "required": _("Give the product a name."),
            "max_length": _("A name has at most 200 characters."),
        },
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=10,
        help_text=_("2 to 10 capital letters or digits, starting with a letter, such as SUB."),
        error_messages={
            "required": _("Give the product a key, such as SUB."),
            "max_length": _("A key has at most 10 characters."),
        },
    )
    vision = forms.CharField(
        label=_("Vision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the product is for and for whom."),
    )
    weeks = forms.TypedChoiceField(
        label=_("Sprint length"),
        coerce=int,
        initial=2,
        choices=[
            (1, _("1 week")),
            (2, _("2 weeks")),
            (3, _("3 weeks")),
            (4, _("4 weeks")),
        ],
        error_messages={"invalid_choice": _("A sprint lasts 1 to 4 weeks.")},
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Participating organisations"),
        help_text=_(
            "Other members of the pilot's cooperative that take part, grouped by cooperative."
        ),
        error_messages={
            "invalid_choice": _("Choose participants from the organisations listed."),
        },
    )
    # Set once the person has seen the similar solutions and still wants to start.
    similar_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    follow_up_per_criterion = forms.BooleanField(
        label=_("One follow-up item per criterion not met"),
        required=False,
        help_text=_(
            "When a tester finds criteria not met, the follow-up work is one item listing them "
            "all; tick this to get one item per criterion instead."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = pilot_memberships_for(user)
        self.fields["pilot"].label_from_instance = lambda m: (
            _("%(organisation)s in %(cooperative)s")
            % {
                "organisation": m.organisation.name,
                "cooperative": m.cooperative.name,
            }
        )
        self.fields["participants"].queryset = participant_memberships_for(
            self.fields["pilot"].queryset
        )
        self.fields["participants"].label_from_instance = _participant_label

    def participant_groups(self) -> list[dict]:
        """The participants' checkboxes per cooperative, for one fieldset each."""
        groups = []
        for choice in self["participants"]:
            membership = choice.data["value"].instance
            if not groups or groups[-1]["cooperative"] != membership.cooperative:
                groups.append({"cooperative": membership.cooperative, "choices": []})
            groups[-1]["choices"].append(choice)
        return groups

    def clean(self):
        data = super().clean()
        pilot, chosen = data.get("pilot"), data.get("participants")
        if pilot and chosen:
            elsewhere = [m for m in chosen if m.cooperative_id != pilot.cooperative_id]
            if elsewhere:
                self.add_error(
                    "participants",
                    _("Participants must be members of %(cooperative)s, the pilot's cooperative.")
                    % {"cooperative": pilot.cooperative.name},
                )
        return data

    def clean_key(self):
        # The model's own rule, checked here too so every problem shows at once.
        key = self.cleaned_data["key"].strip().upper()
        Product._meta.get_field("key").run_validators(key)
        return key

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "cooperative": data["pilot"].cooperative,
            "owner": data["pilot"].organisation,
            "name": data["name"],
            "key": data["key"],
            "vision": data["vision"],
            "sprint_length_days": data["weeks"] * 7,
            "participants": [m.organisation for m in data["participants"]],
            "follow_up_per_criterion": data["follow_up_per_criterion"],
        }


def pilot_memberships_for(user):
    """The active pilots a person may start a product for: their own, or their cooperative's."""
    return (
        Membership.objects.filter(state=MembershipState.ACTIVE, role=MembershipRole.PILOT)
        .filter(Q(organisation__affiliations__user=user) | Q(cooperative__coordinator__user=user))
        .select_related("organisation", "cooperative")
        .distinct()
        .order_by("cooperative__name", "organisation__name")
    )


def participant_memberships_for(pilots):
    """The organisations that may take part in a product of these pilots' cooperatives: every
    open membership (applied, approved or active), as create_product() requires. Where a
    cooperative offers one pilot only, that pilot owns the product and is not offered."""
    cooperative_ids = {p.cooperative_id for p in pilots}
    owners = {}
    for pilot in pilots:
        owners.setdefault(pilot.cooperative_id, []).append(pilot.pk)
    sole_pilots = [ids[0] for ids in owners.values() if len(ids) == 1]
    return (
        Membership.objects.open()
        .filter(cooperative_id__in=cooperative_ids)
        .exclude(pk__in=sole_pilots)
        .select_related("organisation", "cooperative")
        .order_by("cooperative__name", "cooperative_id", "organisation__name")
    )


def _participant_label(membership):
    if membership.state == MembershipState.ACTIVE:
        return membership.organisation.name
    return _("%(organisation)s (membership %(state)s)") % {
        "organisation": membership.organisation.name,
        "state": membership.get_state_display(),
    }


# --- Backlog items ---------------------------------------------------------------------------
class ItemForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Give the item a title."),
            "max_length": _("A title has at most 200 characters."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(value, capfirst(label)) for value, label in ItemKind.choices],
        initial=ItemKind.STORY,
        error_messages={"invalid_choice": _("Choose story, bug, chore or spike.")},
    )
    estimate = forms.TypedChoiceField(
        label=_("Estimate (story points)"),
        choices=_estimate_choices,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": _(
                "An estimate is 0, 1, 2, 3, 5, 8, 13, 20, 40 or 100 points, or none."
            )
        },
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As a … I want … so that …"),
    )
    acceptance_criteria = forms.CharField(
        label=_("Acceptance criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One criterion per line, in order. An item with criteria and an estimate is ready."
        ),
    )

    def clean_acceptance_criteria(self):
        text = self.cleaned_data["acceptance_criteria"]
        criteria = [line.strip() for line in text.splitlines() if line.strip()]
        if any(len(c) > 1000 for c in criteria):
            raise ValidationError(_("A criterion has at most 1000 characters."))
        return criteria

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in EDITABLE}


EDITABLE = ("title", "kind", "estimate", "description", "acceptance_criteria")


def item_snapshot(item) -> dict:
    """The editable values of an item as the edit form started from them."""
    return {
        "title": item.title,
        "kind": item.kind,
        "estimate": item.estimate,
        "description": item.description,
        "acceptance_criteria": list(item.acceptance_criteria or []),
    }


class ItemEditForm(ItemForm):
    """Edits carry the version they started from: a stale one is refused, not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The values the person started from, so a refusal can say what someone else changed.
    original = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_item(cls, item, **kwargs):
        initial = {
            **item_snapshot(item),
            "estimate": "" if item.estimate is None else str(item.estimate),
            "acceptance_criteria": criteria_text(item.acceptance_criteria),
            "version": item.version,
            "original": json.dumps(item_snapshot(item)),
        }
        return cls(initial=initial, **kwargs)

    def clean_original(self):
        try:
            value = json.loads(self.cleaned_data["original"] or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def restarted_from(self, item):
        """After a refusal: the same input, now based on the current version of the item."""
        data = self.data.copy()
        data["version"] = str(item.version)
        data["original"] = json.dumps(item_snapshot(item))
        form = type(self)(data, auto_id=self.auto_id)
        form.is_valid()
        return form


def changes_since(original: dict, item) -> list[dict]:
    """What differs between the values the person started from and the item as it is now."""
    labels = {name: ItemForm.base_fields[name].label for name in EDITABLE}
    current = item_snapshot(item)
    changes = []
    for name in EDITABLE:
        if name in original and original[name] != current[name]:
            changes.append(
                {
                    "field": name,
                    "label": labels[name],
                    "before": _shown(name, original[name]),
                    "after": _shown(name, current[name]),
                }
            )
    return changes


def _shown(name, value):
    if value in (None, "", []):
        return _("(none)")
    if name == "kind":
        return ItemKind(value).label if value in ItemKind.values else value
    if name == "acceptance_criteria" and isinstance(value, list):
        return " / ".join(str(v) for v in value)
    return str(value)


class MoveForm(forms.Form):
    """Where to move an item: up, down, to the top or bottom, or before or after another item."""

    to = forms.ChoiceField(
        required=False,
        choices=[("up", "up"), ("down", "down"), ("top", "top"), ("bottom", "bottom")],
        error_messages={"invalid_choice": _("Move an item up, down, to the top or the bottom.")},
    )
    before = forms.ModelChoiceField(
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("That item is not in this product's backlog.")},
    )
    after = forms.ModelChoiceField(
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("That item is not in this product's backlog.")},
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        for name in ("before", "after"):
            self.fields[name].queryset = product.items.select_related("product")

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("to", "before", "after") if cleaned.get(name)]
        if not self.errors and len(given) != 1:
            raise ValidationError(
                _("Say where to move the item: up, down, to the top or bottom, or next to another.")
            )
        return cleaned

    def destination(self, item) -> dict | None:
        """The service's arguments for the move, or None when the item is already there."""
        data = self.cleaned_data
        if data.get("before"):
            return {"before": data["before"]}
        if data.get("after"):
            return {"after": data["after"]}
        backlog = selectors.backlog_for(self.product)
        if data["to"] == "up":
            neighbour = backlog.filter(position__lt=item.position).order_by("-position").first()
            return {"before": neighbour} if neighbour else None
        if data["to"] == "down":
            neighbour = backlog.filter(position__gt=item.position).order_by("position").first()
            return {"after": neighbour} if neighbour else None
        edge = backlog.exclude(pk=item.pk)
        if data["to"] == "top":
            first = edge.order_by("position").first()
            return {"to": "top"} if first and first.position < item.position else None
        last = edge.order_by("-position").first()
        return {"to": "bottom"} if last and last.position > item.position else None


# --- Sprints ---------------------------------------------------------------------------------
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


# --- Increments and acceptance ---------------------------------------------------------------
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
