"""The forms of the metadata pages: editing a solution, importing a publiccode.yml.

They only shape input (lines into lists, "name | date | e-mail" into contractors); the rules
are the metadata service's, which reports every problem at once with its key path. A problem
at "maintenance_contractors.1.until" is shown beside the contractors, as "line 2".
"""

import json

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cooperative.models import Cooperative, Organisation
from deelbaar.pages import shown
from solutions.models import Category, DevelopmentStatus, MaintenanceType, SoftwareType
from solutions.publiccode import MAX_BYTES, PLATFORMS
from solutions.services.metadata import EDITABLE_FIELDS

SEPARATOR = "|"
# The parts of each line of the list fields, in order.
LINE_PARTS = {
    "maintenance_contractors": ("name", "until", "email", "website"),
    "maintenance_contacts": ("name", "email", "phone", "affiliation"),
    "dependencies": ("name", "kind", "version_min", "version_max"),
}
LINE_FIELDS = ("features_nl", "features_en", "standards", "screenshots")


def _lines(text) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _parts(line: str, names) -> dict:
    values = [part.strip() for part in line.split(SEPARATOR)]
    return {name: value for name, value in zip(names, values, strict=False) if value}


def _line(entry, names) -> str:
    if not isinstance(entry, dict):
        return ""
    values = [str(entry.get(name) or "") for name in names]
    while values and not values[-1]:
        values.pop()
    return f" {SEPARATOR} ".join(values)


def metadata_snapshot(solution) -> dict:
    """The editable values of a solution as the form shows them, to tell later what changed."""
    values: dict[str, object] = {}
    for name in EDITABLE_FIELDS:
        if name == "categories":
            values[name] = sorted(c.category for c in solution.categories.all())
        elif name == "developed_by":
            values[name] = solution.developed_by_id
        elif name == "estimated_cost":
            values[name] = None if solution.estimated_cost is None else str(solution.estimated_cost)
        else:
            values[name] = getattr(solution, name)
    return json.loads(json.dumps(values, default=str))


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class MetadataForm(forms.Form):
    """Every editable field of a solution, with the version the person started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    original = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), required=False)
    short_description_nl = forms.CharField(
        label=_("Short description (Dutch)"),
        required=False,
        help_text=_("One sentence of at most 150 characters."),
    )
    short_description_en = forms.CharField(
        label=_("Short description (English)"),
        required=False,
        help_text=_("One sentence of at most 150 characters."),
    )
    long_description_nl = forms.CharField(
        label=_("Long description (Dutch)"),
        required=False,
        widget=_textarea(8),
        help_text=_("Empty, or 150 to 10,000 characters, for the people who will use it."),
    )
    long_description_en = forms.CharField(
        label=_("Long description (English)"),
        required=False,
        widget=_textarea(8),
        help_text=_("Empty, or 150 to 10,000 characters, for the people who will use it."),
    )
    features_nl = forms.CharField(
        label=_("Features (Dutch)"),
        required=False,
        widget=_textarea(5),
        help_text=_("One feature a line."),
    )
    features_en = forms.CharField(
        label=_("Features (English)"),
        required=False,
        widget=_textarea(5),
        help_text=_("One feature a line."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("publiccode.yml's categories; choose at least one."),
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where its users use it."),
    )
    software_type = forms.ChoiceField(label=_("Software type"), choices=SoftwareType.choices)
    development_status = forms.ChoiceField(
        label=_("Development status"), choices=DevelopmentStatus.choices
    )
    licence = forms.CharField(
        label=_("Licence"),
        required=False,
        help_text=_("An SPDX expression, such as EUPL-1.2 or MIT OR Apache-2.0."),
    )
    developed_by = forms.ModelChoiceField(
        label=_("Developed by"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("(not given)"),
    )
    maintenance_type = forms.ChoiceField(
        label=_("Maintenance"),
        choices=MaintenanceType.choices,
        widget=forms.RadioSelect,
    )
    maintenance_contractors = forms.CharField(
        label=_("Contractors"),
        required=False,
        widget=_textarea(),
        help_text=_(
            "When maintenance is under contract. One a line: name | end date (YYYY-MM-DD) | "
            "e-mail | website."
        ),
    )
    maintenance_contacts = forms.CharField(
        label=_("Contact persons"),
        required=False,
        widget=_textarea(),
        help_text=_(
            "When maintenance is internal or by the community. One a line: name | e-mail | "
            "phone | affiliation."
        ),
    )
    repository_url = forms.CharField(label=_("Repository URL"), required=False)
    documentation_url = forms.CharField(label=_("Documentation URL"), required=False)
    landing_url = forms.CharField(label=_("Landing page URL"), required=False)
    standards = forms.CharField(
        label=_("Standards"),
        required=False,
        widget=_textarea(),
        help_text=_("Open standards it follows, one a line, such as ZGW API's."),
    )
    dependencies = forms.CharField(
        label=_("Dependencies"),
        required=False,
        widget=_textarea(),
        help_text=_(
            "What must run beside it. One a line: name | open, proprietary or hardware | "
            "lowest version | highest version."
        ),
    )
    screenshots = forms.CharField(
        label=_("Screenshots"),
        required=False,
        widget=_textarea(),
        help_text=_("The URL or path of a PNG or JPEG image, one a line."),
    )
    estimated_cost = forms.CharField(
        label=_("Estimated development cost (euros)"),
        required=False,
        help_text=_("What building it cost, such as 250000."),
    )

    groups = (
        (
            _("Name and descriptions"),
            (
                "name",
                "short_description_nl",
                "short_description_en",
                "long_description_nl",
                "long_description_en",
                "features_nl",
                "features_en",
            ),
        ),
        (_("Classification"), ("categories", "platforms", "software_type", "development_status")),
        (_("Licence and origin"), ("licence", "developed_by", "estimated_cost")),
        (_("Maintenance"), ("maintenance_type", "maintenance_contractors", "maintenance_contacts")),
        (
            _("Links and technology"),
            (
                "repository_url",
                "documentation_url",
                "landing_url",
                "standards",
                "dependencies",
                "screenshots",
            ),
        ),
    )

    def __init__(self, *args, solution, **kwargs):
        super().__init__(*args, **kwargs)
        self.solution = solution
        extra = [p for p in solution.platforms or [] if p not in PLATFORMS]
        self.fields["platforms"].choices = [(p, p) for p in (*PLATFORMS, *extra)]

    @classmethod
    def for_solution(cls, solution, **kwargs):
        initial = {
            "version": solution.version,
            "original": json.dumps(metadata_snapshot(solution)),
            "categories": sorted(c.category for c in solution.categories.all()),
            "developed_by": solution.developed_by_id,
            "estimated_cost": "" if solution.estimated_cost is None else solution.estimated_cost,
        }
        for name in EDITABLE_FIELDS:
            if name in initial:
                continue
            value = getattr(solution, name)
            if name in LINE_PARTS:
                value = "\n".join(_line(entry, LINE_PARTS[name]) for entry in value or [])
            elif name in LINE_FIELDS:
                value = "\n".join(str(v) for v in value or [])
            initial[name] = value
        return cls(initial=initial, solution=solution, **kwargs)

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.groups]

    def clean_original(self):
        try:
            value = json.loads(self.cleaned_data["original"] or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {}
        for name in EDITABLE_FIELDS:
            value = data.get(name)
            if name in LINE_PARTS:
                value = [_parts(line, LINE_PARTS[name]) for line in _lines(value)]
            elif name in LINE_FIELDS:
                value = _lines(value)
            elif name in ("categories", "platforms"):
                value = list(value or [])
            arguments[name] = value
        return arguments

    def add_service_error(self, error) -> None:
        """Each problem beside its field; a problem in a list names its line."""
        for path, _code, message in shown(error).errors:
            parts = (path or "").split(".")
            name = parts[0] if parts[0] in self.fields else None
            in_lines = name in LINE_PARTS or name in LINE_FIELDS
            if in_lines and len(parts) > 1 and parts[1].isdigit():
                message = gettext("Line %(line)s: %(message)s") % {
                    "line": int(parts[1]) + 1,
                    "message": message,
                }
            self.add_error(name, message)

    def restarted_from(self, solution):
        """After a refusal: the same input, now based on the solution as it is now."""
        data = self.data.copy()
        data["version"] = str(solution.version)
        data["original"] = json.dumps(metadata_snapshot(solution))
        form = type(self)(data, solution=solution, auto_id=self.auto_id)
        form.is_valid()
        return form


def changes_since(original: dict, solution) -> list[dict]:
    """The fields that differ between what the person started from and the solution now."""
    current = metadata_snapshot(solution)
    labels = {name: MetadataForm.base_fields[name].label for name in EDITABLE_FIELDS}
    changes = []
    for name in EDITABLE_FIELDS:
        if name in original and original[name] != current[name]:
            changes.append(
                {
                    "field": name,
                    "label": labels[name],
                    "before": _shown(original[name]),
                    "after": _shown(current[name]),
                }
            )
    return changes


def _shown(value) -> str:
    if value in (None, "", []):
        return gettext("(none)")
    if isinstance(value, list):
        value = " / ".join(_line(v, tuple(v)) if isinstance(v, dict) else str(v) for v in value)
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


class ImportForm(forms.Form):
    """A publiccode.yml, pasted or uploaded, for a cooperative's library."""

    cooperative: "forms.ModelChoiceField[Cooperative]" = forms.ModelChoiceField(
        label=_("Cooperative"),
        queryset=None,
        required=False,
        empty_label=None,
        help_text=_("The library the solution joins."),
    )
    text = forms.CharField(
        label=_("Text of the publiccode.yml"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=_("Paste the file here, or choose it below."),
    )
    file = forms.FileField(
        label=_("Or upload the file"),
        required=False,
        help_text=_("A publiccode.yml of at most %(size)s KB.") % {"size": MAX_BYTES // 1024},
    )

    def __init__(self, *args, cooperatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = cooperatives

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            cleaned["content"] = upload.read(MAX_BYTES + 1)
        else:
            cleaned["content"] = cleaned.get("text") or ""
        return cleaned
