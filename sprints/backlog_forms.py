"""The backlog page's own forms (issue 15): adding an item inline, moving it to a place,
the search and filters, and managing labels and epics."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from sprints import selectors
from sprints.forms import ItemForm, MoveForm
from sprints.models import BacklogItem, Epic, ItemKind, LabelColour


class QuickItemForm(ItemForm):
    """An item added from the top of the backlog: a title and a kind, the rest later."""

    estimate = None
    description = None
    acceptance_criteria = None


class PlaceMoveForm(MoveForm):
    """The row menu's moves, and "to place N" in the backlog's one list."""

    place = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Give the place as a whole number, 1 or more."),
            "min_value": _("Give the place as a whole number, 1 or more."),
        },
    )

    def clean(self):
        cleaned = forms.Form.clean(self)
        given = [n for n in ("to", "before", "after", "place") if cleaned.get(n)]
        if not self.errors and len(given) != 1:
            raise ValidationError(
                _("Say where to move the item: up, down, to the top or bottom, or next to another.")
            )
        return cleaned

    def destination(self, item) -> dict | None:
        place = self.cleaned_data.get("place")
        if not place:
            return super().destination(item)
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


class LabelForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        error_messages={
            "required": _("Give the label a name."),
            "max_length": _("A label's name is at most 50 characters."),
        },
    )
    colour = forms.ChoiceField(
        label=_("Colour"),
        choices=[(value, capfirst(label)) for value, label in LabelColour.choices],
        initial=LabelColour.GREY,
        error_messages={"invalid_choice": _("Choose one of the colours offered.")},
    )


class EpicForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Give the epic a title."),
            "max_length": _("An epic's title is at most 200 characters."),
        },
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemTagsForm(ServiceErrorsMixin, forms.Form):
    """An item's labels and epic, on the item's page."""

    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose labels of this product.")},
    )
    epic = forms.ModelChoiceField(
        label=_("Epic"),
        queryset=None,
        required=False,
        empty_label=_("(no epic)"),
        error_messages={"invalid_choice": _("Choose an epic of this product.")},
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labels"].queryset = selectors.labels_of(product)
        self.fields["epic"].queryset = Epic.objects.filter(product=product).order_by("title")
