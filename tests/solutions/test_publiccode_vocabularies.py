"""The standard's vocabularies: the data files say what they are, version and source, hold
what the standard's text lists, and are what the validator, the metadata form and the
catalogue's category facet use."""

import re

import pytest

from solutions.forms.metadata import MetadataForm
from solutions.models import Category
from solutions.publiccode import (
    CATEGORIES,
    CATEGORY_LABELS,
    COUNTRIES,
    SCOPES,
    is_language_tag,
    vocabulary,
)
from solutions.selectors.catalogue import _CATEGORY_LABELS

# The lists as the standard's text has them (docs/standard/categories-list.rst and
# scope-list.rst on publiccodeyml/publiccode.yml's main branch), to compare the data with.
STANDARD_CATEGORIES = """
- accounting - agile-project-management - applicant-tracking - application-development
- appointment-scheduling - backup - billing-and-invoicing - blog - budgeting
- business-intelligence - business-process-management - cad - call-center-management
- cloud-management - collaboration - communications - compliance-management
- contact-management - content-management - crm - customer-service-and-support
- data-analytics - data-collection - data-visualization - design - design-system
- digital-asset-management - digital-citizenship - document-management - donor-management
- e-commerce - e-signature - educational-content - email-management - email-marketing
- employee-management - enterprise-project-management - enterprise-social-networking - erp
- event-management - facility-management - feedback-and-reviews-management
- financial-reporting - fleet-management - fundraising - gamification
- geographic-information-systems - grant-management - graphic-design - help-desk - hr - ide
- identity-management - instant-messaging - integrated-library-system - inventory-management
- it-asset-management - it-development - it-management - it-security - it-service-management
- knowledge-management - learning-management-system - marketing - mind-mapping
- mobile-marketing - mobile-payment - network-management - office - online-booking
- online-community - payment-gateway - payroll - predictive-analysis - procurement
- productivity-suite - project-collaboration - project-management - property-management
- real-estate-management - regulations-and-directives - remote-support - resource-management
- sales-management - seo - service-desk - social-media-management - survey
- talent-management - task-management - taxes-management - test-management
- time-management - time-tracking - translation - video-conferencing - video-editing
- visitor-management - voip - warehouse-management - web-collaboration - web-conferencing
- website-builder - whistleblowing - workflow-management - other
"""
STANDARD_SCOPES = """
- agriculture - culture - defence - education - emergency-services - employment - energy
- environment - finance-and-economic-development - foreign-affairs - government - healthcare
- infrastructures - justice - local-authorities - manufacturing - research
- science-and-technology - security - society - sport - tourism - transportation - welfare
"""


def listed(text) -> list[str]:
    return re.findall(r"-\s+([a-z0-9-]+)", text)


@pytest.mark.parametrize(
    "name",
    ["categories", "scopes", "countries", "languages", "scripts", "supports_aliases"],
)
def test_each_data_file_names_its_vocabulary_version_and_source(name):
    data = vocabulary(name)
    assert data["vocabulary"] and data["version"] and data["source"].startswith("https://")
    assert data["values"]


def test_the_categories_are_the_standards_list_in_its_order():
    assert list(CATEGORIES) == listed(STANDARD_CATEGORIES)
    assert len(CATEGORIES) == 106


def test_the_categories_deelbaar_invented_are_gone_and_the_missing_ones_there():
    invented = {
        "crowdfunding",
        "fund-management",
        "payment-management",
        "permit-management",
        "personal-information-management",
        "risk-management",
    }
    assert not invented & set(CATEGORIES)
    missing = {"other", "crm", "design", "design-system", "educational-content", "fundraising"}
    missing |= {"gamification", "integrated-library-system", "payment-gateway", "payroll"}
    missing |= {"predictive-analysis", "procurement", "productivity-suite", "service-desk"}
    missing |= {"regulations-and-directives", "whistleblowing"}
    assert missing <= set(CATEGORIES)


def test_the_scopes_are_the_standards_list():
    assert list(SCOPES) == listed(STANDARD_SCOPES)


def test_countries_and_languages_are_the_iso_registries():
    assert len(COUNTRIES) == 249
    assert {"NL", "BE", "DE", "IT"} <= COUNTRIES
    assert "XX" not in COUNTRIES
    assert all(is_language_tag(tag) for tag in ("nl", "en", "eng", "en-GB", "sl-IT-nedis"))
    assert all(not is_language_tag(tag) for tag in ("xxx", "hr_HR", "en-XX", "e", "nl-"))


def test_every_category_has_a_label_and_the_model_form_and_facet_use_the_list():
    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    assert Category.values == list(CATEGORIES)
    assert [value for value, _label in MetadataForm.base_fields["categories"].choices] == list(
        CATEGORIES
    )
    assert set(_CATEGORY_LABELS) == set(CATEGORIES)
