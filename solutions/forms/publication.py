"""The forms of publication: requesting it, and the coordinator's decision. They read and check
input; the services decide and write."""

import copy

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deelbaar.errors import DomainError
from deelbaar.pages import ServiceErrorsMixin, shown
from solutions.forms.metadata import LINE_PARTS, MetadataForm, _line, _lines, _parts
from solutions.models import DEFAULT_LICENCE, SHORT_DESCRIPTION_MAX, MaintenanceType, Solution
from solutions.services.publication import PUBLICATION_METADATA
from solutions.versions import MAX_LENGTH as VERSION_MAX


class PublicationRequestForm(ServiceErrorsMixin, forms.Form):
    version = forms.CharField(
        label=_("Version"),
        max_length=VERSION_MAX,
        help_text=_("A semantic version, greater than the newest release, such as 1.4.0."),
        error_messages={
            "required": _("Give the version of the release, such as 1.4.0."),
            "max_length": _("A version has at most %(limit_value)d characters."),
        },
    )
    solution = forms.ModelChoiceField(
        queryset=Solution.objects.none(),
        required=False,
        label=_("Solution"),
        empty_label=_("A new solution"),
        help_text=_("The solution of the library this release belongs to."),
        error_messages={"invalid_choice": _("Choose one of the solutions listed.")},
    )
    name = forms.CharField(
        label=_("Name of the new solution"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("A name has at most %(limit_value)d characters.")},
    )
    short_description = forms.CharField(
        label=_("Short description of the new solution"),
        max_length=SHORT_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What it does, in at most 150 characters."),
        error_messages={
            "max_length": _("A short description has at most %(limit_value)d characters.")
        },
    )

    # What a valid publiccode.yml needs: the metadata form's own fields, under its names.
    required_metadata = ("long_description_nl", "categories", "repository_url", "licence")

    def __init__(self, *args, solutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].queryset = solutions
        for name in PUBLICATION_METADATA:
            self.fields[name] = copy.deepcopy(MetadataForm.base_fields[name])
            self.fields[name].required = name in self.required_metadata

    @staticmethod
    def initial_metadata(*, product, solution, user, repository_url="") -> dict:
        """The metadata pre-filled: the solution's where it has one, else from the product
        (its vision, its repository) and the requester as the maintenance contact."""
        contact = (
            _line(
                {"name": user.get_full_name() or user.get_username(), "email": user.email},
                LINE_PARTS["maintenance_contacts"],
            )
            if user.email
            else ""
        )
        if solution is None:
            return {
                "long_description_nl": product.vision,
                "categories": [],
                "repository_url": repository_url,
                "licence": DEFAULT_LICENCE,
                "maintenance_type": MaintenanceType.INTERNAL,
                "maintenance_contacts": contact,
                "maintenance_contractors": "",
            }

        def lines(name):
            return "\n".join(_line(e, LINE_PARTS[name]) for e in getattr(solution, name) or [])

        return {
            "long_description_nl": solution.long_description_nl or product.vision,
            "categories": sorted(c.category for c in solution.categories.all()),
            "repository_url": solution.repository_url or repository_url,
            "licence": solution.licence,
            "maintenance_type": solution.maintenance_type,
            "maintenance_contacts": lines("maintenance_contacts") or contact,
            "maintenance_contractors": lines("maintenance_contractors"),
        }

    def clean(self):
        data = super().clean()
        # publiccode.yml asks for it, and a new solution has no other.
        if not data.get("solution") and data.get("short_description") == "":
            self.add_error(
                "short_description",
                gettext("Give the new solution a short description, at most 150 characters."),
            )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        metadata = {}
        for name in PUBLICATION_METADATA:
            value = data.get(name)
            if name in LINE_PARTS:
                value = [_parts(line, LINE_PARTS[name]) for line in _lines(value)]
            elif name == "categories":
                value = list(value or [])
            metadata[name] = value
        return {
            "version": data["version"],
            "solution": data["solution"],
            "name": data["name"],
            "short_description": data["short_description"],
            "metadata": metadata,
        }

    def add_service_error(self, error) -> None:
        """Each problem beside its field (a problem in a list names its line)."""
        if not isinstance(error, DomainError):
            return super().add_service_error(error)
        for path, _code, message in shown(error).errors:
            parts = (path or "").split(".")
            name = self.field_for(parts[0])
            if name in LINE_PARTS and len(parts) > 1 and parts[1].isdigit():
                message = gettext("Line %(line)s: %(message)s") % {
                    "line": int(parts[1]) + 1,
                    "message": message,
                }
            self.add_error(name, str(message))
        return None


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """Approving or withdrawing needs no input, only the button."""


class RejectForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=10_000,
        error_messages={"required": _("Give the reason for the rejection.")},
    )
