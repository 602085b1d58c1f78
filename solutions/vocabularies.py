"""publiccode.yml's controlled vocabularies, read from the standard's data files in
`solutions/publiccode/data/`. Beside the models, not in `solutions.publiccode`: the models read
the categories, and the publiccode modules read the models (no import cycle, .importlinter).

Each data file names the vocabulary, its version and its source; the validator, the
metadata form, the catalogue's category facet and the API's filters all read them from here,
so a new version of the standard is one file to replace (and, for categories, one label to add
below, which `tests/solutions/test_publiccode_vocabularies.py` asks for).

- `CATEGORIES`: publiccode.yml's categories (`categories-list.rst`), in the standard's order.
- `SCOPES`: `intendedAudience.scope` (`scope-list.rst`).
- `COUNTRIES`: ISO 3166-1 alpha-2 codes, upper case.
- `LANGUAGES_2`, `LANGUAGES_3`, `SCRIPTS`: the registered subtags a BCP 47 tag is checked
  against (ISO 639-1, ISO 639-2/3, ISO 15924).
- `SUPPORTS_ALIASES`: the `alias:` identifiers of `supports` (0.7).
- `VERSIONS`, `LATEST_VERSIONS`: the publiccodeYmlVersion values read, and those that are the
  current version (the others are read, with a warning).
"""

import json
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).resolve().parent / "publiccode" / "data"


@cache
def vocabulary(name: str) -> dict:
    """A data file as it is: `vocabulary`, `version`, `source` and `values`."""
    with (DATA / f"{name}.json").open(encoding="utf-8") as file:
        return json.load(file)


CATEGORIES: tuple[str, ...] = tuple(vocabulary("categories")["values"])
SCOPES: tuple[str, ...] = tuple(vocabulary("scopes")["values"])
COUNTRIES: frozenset[str] = frozenset(vocabulary("countries")["values"])
LANGUAGES_2: frozenset[str] = frozenset(vocabulary("languages")["values"]["two_letter"])
LANGUAGES_3: frozenset[str] = frozenset(vocabulary("languages")["values"]["three_letter"])
SCRIPTS: frozenset[str] = frozenset(s.lower() for s in vocabulary("scripts")["values"])
SUPPORTS_ALIASES: tuple[str, ...] = tuple(vocabulary("supports_aliases")["values"])

# The versions of the standard a file may declare. "0" means "the latest of major version 0".
# The reference parser's list lacks 0.6 (the standard released it): this follows the standard.
LATEST_VERSIONS = ("0", "0.7", "0.7.0")
VERSIONS = (
    "0",
    "0.2",
    "0.2.0",
    "0.2.1",
    "0.2.2",
    "0.3",
    "0.3.0",
    "0.4",
    "0.4.0",
    "0.5",
    "0.5.0",
    "0.6",
    "0.6.0",
    "0.7",
    "0.7.0",
)
# What Deelbaar writes.
CURRENT_VERSION = "0.7.0"

# Labels to show for each category: the codes come from the data file, the words from here
# (they must be literal strings for the translation catalogue).
CATEGORY_LABELS = {
    "accounting": _("accounting"),
    "agile-project-management": _("agile project management"),
    "applicant-tracking": _("applicant tracking"),
    "application-development": _("application development"),
    "appointment-scheduling": _("appointment scheduling"),
    "backup": _("backup"),
    "billing-and-invoicing": _("billing and invoicing"),
    "blog": _("blog"),
    "budgeting": _("budgeting"),
    "business-intelligence": _("business intelligence"),
    "business-process-management": _("business process management"),
    "cad": _("CAD"),
    "call-center-management": _("call centre management"),
    "cloud-management": _("cloud management"),
    "collaboration": _("collaboration"),
    "communications": _("communications"),
    "compliance-management": _("compliance management"),
    "contact-management": _("contact management"),
    "content-management": _("content management"),
    "crm": _("CRM"),
    "customer-service-and-support": _("customer service and support"),
    "data-analytics": _("data analytics"),
    "data-collection": _("data collection"),
    "data-visualization": _("data visualisation"),
    "design": _("design"),
    "design-system": _("design system"),
    "digital-asset-management": _("digital asset management"),
    "digital-citizenship": _("digital citizenship"),
    "document-management": _("document management"),
    "donor-management": _("donor management"),
    "e-commerce": _("e-commerce"),
    "e-signature": _("e-signature"),
    "educational-content": _("educational content"),
    "email-management": _("e-mail management"),
    "email-marketing": _("e-mail marketing"),
    "employee-management": _("employee management"),
    "enterprise-project-management": _("enterprise project management"),
    "enterprise-social-networking": _("enterprise social networking"),
    "erp": _("ERP"),
    "event-management": _("event management"),
    "facility-management": _("facility management"),
    "feedback-and-reviews-management": _("feedback and reviews management"),
    "financial-reporting": _("financial reporting"),
    "fleet-management": _("fleet management"),
    "fundraising": _("fundraising"),
    "gamification": _("gamification"),
    "geographic-information-systems": _("geographic information systems"),
    "grant-management": _("grant management"),
    "graphic-design": _("graphic design"),
    "help-desk": _("help desk"),
    "hr": _("HR"),
    "ide": _("IDE"),
    "identity-management": _("identity management"),
    "instant-messaging": _("instant messaging"),
    "integrated-library-system": _("integrated library system"),
    "inventory-management": _("inventory management"),
    "it-asset-management": _("IT asset management"),
    "it-development": _("IT development"),
    "it-management": _("IT management"),
    "it-security": _("IT security"),
    "it-service-management": _("IT service management"),
    "knowledge-management": _("knowledge management"),
    "learning-management-system": _("learning management system"),
    "marketing": _("marketing"),
    "mind-mapping": _("mind mapping"),
    "mobile-marketing": _("mobile marketing"),
    "mobile-payment": _("mobile payment"),
    "network-management": _("network management"),
    "office": _("office"),
    "online-booking": _("online booking"),
    "online-community": _("online community"),
    "payment-gateway": _("payment gateway"),
    "payroll": _("payroll"),
    "predictive-analysis": _("predictive analysis"),
    "procurement": _("procurement"),
    "productivity-suite": _("productivity suite"),
    "project-collaboration": _("project collaboration"),
    "project-management": _("project management"),
    "property-management": _("property management"),
    "real-estate-management": _("real estate management"),
    "regulations-and-directives": _("regulations and directives"),
    "remote-support": _("remote support"),
    "resource-management": _("resource management"),
    "sales-management": _("sales management"),
    "seo": _("SEO"),
    "service-desk": _("service desk"),
    "social-media-management": _("social media management"),
    "survey": _("survey"),
    "talent-management": _("talent management"),
    "task-management": _("task management"),
    "taxes-management": _("taxes management"),
    "test-management": _("test management"),
    "time-management": _("time management"),
    "time-tracking": _("time tracking"),
    "translation": _("translation"),
    "video-conferencing": _("video conferencing"),
    "video-editing": _("video editing"),
    "visitor-management": _("visitor management"),
    "voip": _("VoIP"),
    "warehouse-management": _("warehouse management"),
    "web-collaboration": _("web collaboration"),
    "web-conferencing": _("web conferencing"),
    "website-builder": _("website builder"),
    "whistleblowing": _("whistleblowing"),
    "workflow-management": _("workflow management"),
    "other": _("other"),
}


def category_label(code: str):
    """The translatable label of a category; an unknown code is shown as it is."""
    return CATEGORY_LABELS.get(code, code)
