"""Backlog items: adding one (from the top of the backlog), editing (and what changed
meanwhile), moving one, and the backlog's search and filters."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from sprints import selectors
from sprints.forms._common import (
    _estimate_choices,
    criteria_text,
)
from sprints.models import BacklogItem, ItemKind


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


class QuickItemForm(ItemForm):
    """An item added from the top of the backlog: a title and a kind, the rest later."""

    estimate = None
    description = None
    acceptance_criteria = None


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
    """Where to move an item: up, down, to the top or bottom, before or after another item, or
    to place N of the backlog's one list (the row menu, drag and drop, a place)."""

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
    place = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Give the place as a whole number, 1 or more."),
            "min_value": _("Give the place as a whole number, 1 or more."),
        },
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        for name in ("before", "after"):
            self.fields[name].queryset = product.items.select_related("product")

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("to", "before", "after", "place") if cleaned.get(name)]
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
        if data.get("place"):
            return self._to_place(item, data["place"])
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

    def _to_place(self, item, place: int) -> dict | None:
        # The item goes where it is number `place` of the list without it put back in.
        others = list(
            selectors.backlog_for(self.product)
            .exclude(pk=item.pk)
            .values_list("pk", "position")
            .order_by("position")
        )
        if not others:
            return None
        index = min(place, len(others) + 1) - 1
        now = sum(1 for _pk, position in others if position < item.position)
        if index == now:
            return None
        if index < len(others):
            return {
                "before": BacklogItem.objects.select_related("product").get(pk=others[index][0])
            }
        return {"after": BacklogItem.objects.select_related("product").get(pk=others[-1][0])}


class _ChoiceOrNone(forms.CharField):
    """An id, or "none" for the items without one."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if value in ("", "none"):
            return value or None
        if not value.isdigit() or not 0 < int(value) < 2**31:
            raise ValidationError(_("Give an id (a whole number) or none."), code="invalid")
        return int(value)


class BacklogFilterForm(forms.Form):
    """The backlog's search and filters, from the page's or the API's query string. The same
    names in both, so a filtered page's address can be shared and an API call copies it."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("every kind"))]
        + [(value, capfirst(label)) for value, label in ItemKind.choices],
    )
    ready = forms.ChoiceField(
        label=_("Ready"),
        required=False,
        choices=[("", _("ready or not")), ("true", _("ready")), ("false", _("not ready"))],
    )
    label = _ChoiceOrNone(label=_("Label"), required=False)
    epic = _ChoiceOrNone(label=_("Epic"), required=False)
    assignee = _ChoiceOrNone(label=_("Assignee"), required=False)

    def clean_label(self):
        # Every item may have no label: "none" would not narrow anything a person asks for.
        value = self.cleaned_data["label"]
        return None if value == "none" else value

    def filters(self) -> dict:
        """The selector's arguments; an empty dict when nothing narrows the list."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        given = {
            "q": data["q"].strip(),
            "kind": data["kind"],
            "ready": {"true": True, "false": False}.get(data["ready"]),
            "label": data["label"],
            "epic": data["epic"],
            "assignee": data["assignee"],
        }
        return {name: value for name, value in given.items() if value not in (None, "")}
