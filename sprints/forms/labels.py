"""Labels and epics: managing a product's, and setting an item's (issue 15)."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from deelbaar.pages import ServiceErrorsMixin
from sprints import selectors
from sprints.models import Epic, LabelColour


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
