"""One name per field: publiccode.yml's keys and the metadata API's fields, mapped in one place
(`solutions.publiccode.fields`), both ways."""

import pytest

from solutions.publiccode import Problem, field_for_key, key_for_field, metadata_problems
from solutions.services.metadata import EDITABLE_FIELDS

PAIRS = [
    ("url", "repository_url"),
    ("landingURL", "landing_url"),
    ("categories", "categories"),
    ("description.nl.longDescription", "long_description_nl"),
    ("description.en.shortDescription", "short_description_en"),
    ("description.nl.features", "features_nl"),
    ("legal.license", "licence"),
    ("maintenance.type", "maintenance_type"),
    ("maintenance.contractors[0].until", "maintenance_contractors.0.until"),
    ("maintenance.contacts[1].email", "maintenance_contacts.1.email"),
    ("softwareType", "software_type"),
    ("developmentStatus", "development_status"),
]


@pytest.mark.parametrize(("key", "field"), PAIRS)
def test_a_key_and_its_field_map_both_ways(key, field):
    assert field_for_key(key) == field
    assert key_for_field(field) == key


def test_the_dotted_form_of_an_index_maps_too():
    assert field_for_key("maintenance.contractors.0.until") == "maintenance_contractors.0.until"


def test_keys_no_field_writes_have_none():
    assert field_for_key("publiccodeYmlVersion") is None
    assert field_for_key("softwareVersion") is None
    assert field_for_key("names") is None  # not `name`


def test_every_field_the_export_writes_from_is_an_editable_field():
    for key, _field in PAIRS:
        assert field_for_key(key).split(".")[0] in EDITABLE_FIELDS


def test_a_problem_names_the_field_and_gives_the_key_in_its_message():
    (problem,) = metadata_problems([Problem("url", "required", "url is verplicht.")])
    assert (problem.field, problem.path) == ("repository_url", "url")
    field, code, message = problem.as_error()
    assert (field, code) == ("repository_url", "required")
    assert message.endswith("(publiccode.yml: url)")
    assert problem.label  # the library's own label, for the pages
