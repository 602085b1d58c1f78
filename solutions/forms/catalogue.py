"""The catalogue's search form: a plain GET form (it works without JavaScript), whose facet
checkboxes come from the facets of the result itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deelbaar.errors import DomainError
from solutions.selectors.catalogue import (
    FACETS,
    QUERY_MAX_LENGTH,
    SIMILAR_DESCRIPTION_MAX_LENGTH,
    SIMILAR_TITLE_MAX_LENGTH,
    Catalogue,
    Sort,
    catalogue,
)


class ValuesField(forms.Field):
    """The values ticked for one facet: a list of strings, checked by the selector."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(item) for item in value or []]


class CatalogueForm(forms.Form):
    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        help_text=_("Words from the name, description or features, in Dutch or English."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # Empty unless the person picks a way to sort: a search is then ranked by relevance (best
    # match first) and the whole library listed by name. A page that always sent its first
    # option would never rank a search.
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("", _("best match first")), *Sort.choices],
        error_messages={"invalid_choice": _("Choose a way to sort from the list.")},
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in FACETS.items():
            self.fields[name] = ValuesField(label=label, required=False)

    def sort_choices(self):
        """The select's options: relevance is what "best match first" means, so it is shown
        only to someone whose address asked for it by name."""
        chosen = self.data.get("sort", "")
        return [
            (value, label)
            for value, label in self.fields["sort"].choices
            if value != Sort.RELEVANCE or chosen == Sort.RELEVANCE
        ]

    def search(self) -> Catalogue | None:
        """The catalogue the form asks for, or None with the errors on the form."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            return catalogue(
                data["q"],
                {name: data[name] for name in FACETS if data[name]},
                data["sort"] or None,
                page=data["page"] or 1,
            )
        except DomainError as error:
            for field, _code, message in error.errors:
                self.add_error(field if field in self.fields else None, message)
            return None


class SimilarForm(forms.Form):
    """A proposal's title and description; the product form sends them as name and vision."""

    title = forms.CharField(required=False, max_length=SIMILAR_TITLE_MAX_LENGTH)
    description = forms.CharField(required=False, max_length=SIMILAR_DESCRIPTION_MAX_LENGTH)

    def __init__(self, data, **kwargs):
        data = data.copy()
        for name, alias in (("title", "name"), ("description", "vision")):
            if not data.get(name) and data.get(alias):
                data[name] = data[alias]
        super().__init__(data, **kwargs)
