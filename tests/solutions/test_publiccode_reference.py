"""The validator against the reference parser (italia/publiccode-parser-go): for each rule its
test files check offline, the same verdict (valid, valid with warnings, invalid) and the same
key paths. The documents are written here, one change to a valid file per case; the comment on
a case names the reference's test file it stands for, or the standard's text where the two
disagree (README, "publiccode.yml").
"""

import copy
import re
import time

import pytest

from solutions.publiccode import check_publiccode, dump_publiccode, validate_publiccode

LONG = (
    "Medusa follows every request from its receipt to the decision: it registers it, keeps "
    "its deadlines, routes it past the people who must see it and archives the outcome."
)

BASE = {
    "publiccodeYmlVersion": "0",
    "name": "Medusa",
    "url": "https://example.org/italia/medusa.git",
    "platforms": ["web"],
    "categories": ["cloud-management"],
    "developmentStatus": "development",
    "softwareType": "standalone/other",
    "description": {
        "en": {
            "localisedName": "Medusa",
            "shortDescription": "A rather short description which is probably useless",
            "longDescription": LONG,
            "features": ["Just one feature"],
        }
    },
    "legal": {"license": "AGPL-3.0-or-later"},
    "maintenance": {"type": "community", "contacts": [{"name": "Francesco Rossi"}]},
    "localisation": {"localisationReady": True, "availableLanguages": ["en"]},
}


def _keys(path):
    return [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]


def put(path, value):
    def change(data):
        *parents, last = _keys(path)
        for key in parents:
            data = data.setdefault(key, {}) if isinstance(key, str) else data[key]
        data[last] = copy.deepcopy(value)

    return change


def drop(path):
    def change(data):
        *parents, last = _keys(path)
        for key in parents:
            data = data[key]
        del data[last]

    return change


def both(*changes):
    def change(data):
        for each in changes:
            each(data)

    return change


def text(replace, by):
    """A change to the file's text, for what only YAML itself can say (unquoted values)."""
    return ("text", replace, by)


CONTRACT = both(
    put("maintenance.type", "contract"),
    drop("maintenance.contacts"),
    put("maintenance.contractors", [{"name": "Gemboxx", "until": "2027-12-31"}]),
)

# name: (change, error paths, warning paths)
VALID = {
    "minimal": (None, set(), set()),
    "categories missing (optional since 0.5)": (drop("categories"), set(), set()),
    "categories empty": (put("categories", []), set(), set()),
    "categories nil": (put("categories", None), set(), set()),
    "category other": (put("categories", ["other"]), set(), set()),
    "a category the standard added": (put("categories", ["whistleblowing", "crm"]), set(), set()),
    "Italian section, version 1.0": (
        put("IT", {"countryExtensionVersion": "1.0", "piattaforme": {"spid": True}}),
        set(),
        set(),
    ),
    "dependsOn": (
        put(
            "dependsOn",
            {
                "open": [{"name": "PostgreSQL", "versionMin": "14", "optional": True}],
                "proprietary": [{"name": "Oracle", "version": "19"}],
                "hardware": [{"name": "NFC reader"}],
            },
        ),
        set(),
        set(),
    ),
    "fundedBy without a name": (put("fundedBy", [{"uri": "urn:x-foo:bar"}]), set(), set()),
    "fundedBy with a URL": (
        put("fundedBy", [{"name": "EU", "uri": "https://europa.eu"}]),
        set(),
        set(),
    ),
    "organisation without a name": (put("organisation", {"uri": "urn:x-foo:bar"}), set(), set()),
    "organisation with a URL": (
        put("organisation", {"name": "Gemeente", "uri": "https://example.org/gemeente"}),
        set(),
        set(),
    ),
    "logo with a URL": (put("logo", "https://example.org/logo.svg"), set(), set()),
    "logo relative": (put("logo", "img/logo.png"), set(), set()),
    "contact with a phone": (
        put("maintenance.contacts", [{"name": "F. Rossi", "phone": "+39 123 456"}]),
        set(),
        set(),
    ),
    "contacts when the type is contract": (
        both(CONTRACT, put("maintenance.contacts", [{"name": "F. Rossi"}])),
        set(),
        set(),
    ),
    "contacts when the type is none": (put("maintenance.type", "none"), set(), set()),
    "contractors with type contract": (CONTRACT, set(), set()),
    "SPDX OR": (put("legal.license", "AGPL-3.0-or-later OR MIT"), set(), set()),
    "SPDX WITH": (
        put("legal.license", "GPL-2.0-only WITH Classpath-exception-2.0"),
        set(),
        set(),
    ),
    "Italian section in upper case": (put("IT", {"riuso": {"codiceIPA": "pcm"}}), set(), set()),
    "supports (0.7)": (
        put("supports", [{"id": "alias:gdpr"}, {"id": "urn:iso:std:iso:27001"}]),
        set(),
        set(),
    ),
    "language tags eng and en-GB": (
        both(
            put("description", {"en-GB": copy.deepcopy(BASE["description"]["en"])}),
            put("localisation.availableLanguages", ["eng", "nl"]),
        ),
        set(),
        set(),
    ),
    # The standard: "enumerated string or array of strings" (the reference: an array).
    "platforms as a single string": (put("platforms", "web"), set(), set()),
    # The standard: longDescription and features in at least one language.
    "a second language with a short description only": (
        put("description.nl", {"shortDescription": "Een korte beschrijving."}),
        set(),
        set(),
    ),
    "version 0.7.0": (put("publiccodeYmlVersion", "0.7.0"), set(), set()),
    # v0.6 is missing from the reference's list; the standard released it.
    "version 0.6.0": (put("publiccodeYmlVersion", "0.6.0"), set(), {"publiccodeYmlVersion"}),
    "an unquoted date": (
        text('releaseDate: "2017-04-15"', "releaseDate: 2017-04-15"),
        set(),
        set(),
    ),
    "100 accented letters as two code points each": (
        put("description.en.shortDescription", "e\u0301" * 100),
        set(),
        set(),
    ),
}

WITH_WARNINGS = {
    # valid.minimal.v0.2/v0.3/v0.4.yml
    "version 0.2": (put("publiccodeYmlVersion", "0.2"), set(), {"publiccodeYmlVersion"}),
    "version 0.4": (put("publiccodeYmlVersion", "0.4"), set(), {"publiccodeYmlVersion"}),
    # valid.mime_types.yml
    "inputTypes and outputTypes": (
        both(put("inputTypes", ["text/plain"]), put("outputTypes", ["application/json"])),
        set(),
        {"inputTypes", "outputTypes"},
    ),
    # valid_with_it_conforme.yml
    "IT.conforme": (put("IT", {"conforme": {"gdpr": True}}), set(), {"IT.conforme"}),
    # valid_with_country_specific_section_downcase.yml
    "the section it in lower case": (put("it", {"riuso": {"codiceIPA": "pcm"}}), set(), {"it"}),
    # valid_with_lowercase_countries.yml
    "lower-case countries": (
        put("intendedAudience", {"countries": ["it", "de"], "unsupportedCountries": ["us"]}),
        set(),
        {
            "intendedAudience.countries[0]",
            "intendedAudience.countries[1]",
            "intendedAudience.unsupportedCountries[0]",
        },
    ),
    # valid_with_legal_repoOwner.yml
    "legal.repoOwner": (put("legal.repoOwner", "Comune"), set(), {"legal.repoOwner"}),
    # authorsFile.yml
    "legal.authorsFile": (put("legal.authorsFile", "AUTHORS"), set(), {"legal.authorsFile"}),
    # unicode_grapheme_clusters.yml
    "genericName": (
        put("description.en.genericName", "Editor"),
        set(),
        {"description.en.genericName"},
    ),
    "an alias outside the known list": (
        put("supports", [{"id": "alias:something-new"}]),
        set(),
        {"supports[0].id"},
    ),
}

INVALID = {
    "publiccodeYmlVersion missing": (drop("publiccodeYmlVersion"), {"publiccodeYmlVersion"}, set()),
    "publiccodeYmlVersion unknown": (
        put("publiccodeYmlVersion", "1"),
        {"publiccodeYmlVersion"},
        set(),
    ),
    "publiccodeYmlVersion unquoted (a number)": (
        text('publiccodeYmlVersion: "0"', "publiccodeYmlVersion: 0.4"),
        {"publiccodeYmlVersion"},
        set(),
    ),
    "name missing": (drop("name"), {"name"}, set()),
    "name nil": (put("name", None), {"name"}, set()),
    "name of the wrong type": (put("name", ["Medusa"]), {"name"}, set()),
    "applicationSuite of the wrong type": (
        put("applicationSuite", ["x"]),
        {"applicationSuite"},
        set(),
    ),
    "url missing": (drop("url"), {"url"}, set()),
    "url of the wrong type": (put("url", ["x"]), {"url"}, set()),
    "url not a URL": (put("url", "foobar"), {"url"}, set()),
    "landingURL of the wrong type": (put("landingURL", ["x"]), {"landingURL"}, set()),
    "landingURL not a URL": (put("landingURL", "???"), {"landingURL"}, set()),
    "isBasedOn a mapping": (put("isBasedOn", {"foobar": "baz"}), {"isBasedOn.foobar"}, set()),
    "isBasedOn with a bad URL": (
        put("isBasedOn", ["https://example.org/a.git", "???"]),
        {"isBasedOn[1]"},
        set(),
    ),
    "isBasedOn a bad URL": (put("isBasedOn", "???"), {"isBasedOn[0]"}, set()),
    "softwareVersion unquoted (a number)": (
        text("name: Medusa", "name: Medusa\nsoftwareVersion: 1.0"),
        {"softwareVersion"},
        set(),
    ),
    "releaseDate empty": (put("releaseDate", ""), {"releaseDate"}, set()),
    "releaseDate of the wrong type": (put("releaseDate", ["2017-04-15"]), {"releaseDate"}, set()),
    "releaseDate not a date": (put("releaseDate", "2017-04-31"), {"releaseDate"}, set()),
    "releaseDate with a time": (put("releaseDate", "2017-04-15T10:00:00Z"), {"releaseDate"}, set()),
    "logo of the wrong type": (put("logo", ["x"]), {"logo"}, set()),
    "logo of an unsupported kind": (put("logo", "logo.mpg"), {"logo"}, set()),
    "logo at an absolute path": (put("logo", "/etc/logo.png"), {"logo"}, set()),
    "logo at a file:// URL": (put("logo", "file:///tmp/logo.png"), {"logo"}, set()),
    "monochromeLogo of the wrong type": (
        put("monochromeLogo", ["x"]),
        {"monochromeLogo"},
        {"monochromeLogo"},
    ),
    "monochromeLogo of an unsupported kind": (
        put("monochromeLogo", "monochromeLogo.mpg"),
        {"monochromeLogo"},
        {"monochromeLogo"},
    ),
    "organisation uri not a URI": (
        put("organisation", {"name": "foobar", "uri": "1"}),
        {"organisation.uri"},
        set(),
    ),
    "organisation uri a bare code": (
        put("organisation", {"name": "foobar", "uri": "pcm"}),
        {"organisation.uri"},
        set(),
    ),
    "organisation uri missing": (
        put("organisation", {"name": "foobar"}),
        {"organisation.uri"},
        set(),
    ),
    "organisation name of the wrong type": (
        put("organisation", {"name": ["foobar"]}),
        {"organisation.name", "organisation.uri"},
        set(),
    ),
    "fundedBy uri not a URI": (
        put("fundedBy", [{"name": "x", "uri": "1"}]),
        {"fundedBy[0].uri"},
        set(),
    ),
    "fundedBy uri missing": (put("fundedBy", [{"name": "x"}]), {"fundedBy[0].uri"}, set()),
    "fundedBy a mapping": (put("fundedBy", {"name": "x"}), {"fundedBy.name"}, set()),
    "inputTypes not MIME types": (
        put("inputTypes", ["text/plain", "foobar"]),
        {"inputTypes[1]"},
        {"inputTypes"},
    ),
    "inputTypes a mapping": (
        put("inputTypes", {"foobar": "x"}),
        {"inputTypes.foobar"},
        {"inputTypes"},
    ),
    "outputTypes not MIME types": (
        put("outputTypes", ["text/plain", "foobar"]),
        {"outputTypes[1]"},
        {"outputTypes"},
    ),
    "platforms missing": (drop("platforms"), {"platforms"}, set()),
    "platforms a mapping": (put("platforms", {"web": True}), {"platforms.web"}, set()),
    "a category not in the list": (put("categories", ["foobar"]), {"categories[0]"}, set()),
    "a category Deelbaar used to offer": (
        put("categories", ["permit-management"]),
        {"categories[0]"},
        set(),
    ),
    "usedBy a single string": (put("usedBy", "foobar"), {"usedBy"}, set()),
    "roadmap not a URL": (put("roadmap", "foobar"), {"roadmap"}, set()),
    "roadmap of the wrong type": (put("roadmap", ["x"]), {"roadmap"}, set()),
    "developmentStatus missing": (drop("developmentStatus"), {"developmentStatus"}, set()),
    "developmentStatus unknown": (
        put("developmentStatus", "finished"),
        {"developmentStatus"},
        set(),
    ),
    "developmentStatus of the wrong type": (
        put("developmentStatus", ["x"]),
        {"developmentStatus"},
        set(),
    ),
    "softwareType missing": (drop("softwareType"), {"softwareType"}, set()),
    "softwareType unknown": (put("softwareType", "standalone"), {"softwareType"}, set()),
    "intendedAudience of the wrong type": (
        put("intendedAudience", "x"),
        {"intendedAudience"},
        set(),
    ),
    "a country that is not one": (
        put("intendedAudience", {"countries": ["IT", "DE", "XX"]}),
        {"intendedAudience.countries[2]"},
        set(),
    ),
    "a country in mixed case": (
        put("intendedAudience", {"countries": ["IT", "DE", "Fr"]}),
        {"intendedAudience.countries[2]"},
        set(),
    ),
    "countries a single string": (
        put("intendedAudience", {"countries": "IT"}),
        {"intendedAudience.countries"},
        set(),
    ),
    "an unsupported country that is not one": (
        put("intendedAudience", {"unsupportedCountries": ["XX"]}),
        {"intendedAudience.unsupportedCountries[0]"},
        set(),
    ),
    "a scope not in the list": (
        put("intendedAudience", {"scope": ["foobar"]}),
        {"intendedAudience.scope[0]"},
        set(),
    ),
    "scope a single string": (
        put("intendedAudience", {"scope": "government"}),
        {"intendedAudience.scope"},
        set(),
    ),
    "a description language that is not one": (
        put("description", {"xxx": copy.deepcopy(BASE["description"]["en"])}),
        {"description"},
        set(),
    ),
    "a description language in POSIX form": (
        put("description", {"en_GB": copy.deepcopy(BASE["description"]["en"])}),
        {"description"},
        set(),
    ),
    "features missing": (drop("description.en.features"), {"description.en.features"}, set()),
    "features empty": (put("description.en.features", []), {"description.en.features"}, set()),
    "localisedName of the wrong type": (
        put("description.en.localisedName", ["x"]),
        {"description.en.localisedName"},
        set(),
    ),
    "genericName too long": (
        put("description.en.genericName", "x" * 36),
        {"description.en.genericName"},
        {"description.en.genericName"},
    ),
    "shortDescription missing": (
        drop("description.en.shortDescription"),
        {"description.en.shortDescription"},
        set(),
    ),
    "shortDescription too long": (
        put("description.en.shortDescription", "x" * 151),
        {"description.en.shortDescription"},
        set(),
    ),
    "longDescription missing": (
        drop("description.en.longDescription"),
        {"description.en.longDescription"},
        set(),
    ),
    "longDescription too long": (
        put("description.en.longDescription", "x" * 10_001),
        {"description.en.longDescription"},
        set(),
    ),
    "longDescription too short": (
        put("description.en.longDescription", "Too short."),
        {"description.en.longDescription"},
        set(),
    ),
    # description_en_longDescription_too_short_grapheme_clusters.yml: 149 characters that
    # are more than 150 code points.
    "longDescription too short in user-perceived characters": (
        put("description.en.longDescription", "e\u0301" * 149),
        {"description.en.longDescription"},
        set(),
    ),
    "documentation not a URL": (
        put("description.en.documentation", "not_a_url"),
        {"description.en.documentation"},
        set(),
    ),
    "apiDocumentation not a URL": (
        put("description.en.apiDocumentation", "abc"),
        {"description.en.apiDocumentation"},
        set(),
    ),
    "awards of the wrong type": (
        put("description.en.awards", "Best of 2020"),
        {"description.en.awards"},
        set(),
    ),
    "a video that is no URL": (
        put("description.en.videos", ["ABC"]),
        {"description.en.videos[0]"},
        set(),
    ),
    "legal missing": (drop("legal"), {"legal.license"}, set()),
    "legal of the wrong type": (put("legal", "AGPL-3.0-or-later"), {"legal"}, set()),
    "license missing": (drop("legal.license"), {"legal.license"}, set()),
    "license not SPDX": (put("legal.license", "Invalid License"), {"legal.license"}, set()),
    "maintenance type missing": (drop("maintenance.type"), {"maintenance.type"}, set()),
    "maintenance type unknown": (put("maintenance.type", "paid"), {"maintenance.type"}, set()),
    "community without contacts": (drop("maintenance.contacts"), {"maintenance.contacts"}, set()),
    "internal without contacts": (
        both(put("maintenance.type", "internal"), drop("maintenance.contacts")),
        {"maintenance.contacts"},
        set(),
    ),
    "a contact without a name": (
        put("maintenance.contacts", [{"email": "f@example.org"}]),
        {"maintenance.contacts[0].name"},
        set(),
    ),
    "a contact's e-mail address": (
        put("maintenance.contacts", [{"name": "F", "email": "f-at-example"}]),
        {"maintenance.contacts[0].email"},
        set(),
    ),
    "contract without contractors": (
        both(put("maintenance.type", "contract"), drop("maintenance.contacts")),
        {"maintenance.contractors"},
        set(),
    ),
    "contractors an empty mapping": (
        both(CONTRACT, put("maintenance.contractors", {})),
        {"maintenance.contractors"},
        set(),
    ),
    "a contractor without a name": (
        both(CONTRACT, put("maintenance.contractors", [{"until": "2027-12-31"}])),
        {"maintenance.contractors[0].name"},
        set(),
    ),
    "a contractor without until": (
        both(CONTRACT, put("maintenance.contractors", [{"name": "G"}])),
        {"maintenance.contractors[0].until"},
        set(),
    ),
    "a contractor's until not a date": (
        both(CONTRACT, put("maintenance.contractors[0].until", "31-12-2027")),
        {"maintenance.contractors[0].until"},
        set(),
    ),
    "a contractor's e-mail address": (
        both(CONTRACT, put("maintenance.contractors[0].email", "g-at-example")),
        {"maintenance.contractors[0].email"},
        set(),
    ),
    "a contractor's website": (
        both(CONTRACT, put("maintenance.contractors[0].website", "gemboxx")),
        {"maintenance.contractors[0].website"},
        set(),
    ),
    "contractors when the type is community": (
        put("maintenance.contractors", [{"name": "G", "until": "2027-12-31"}]),
        {"maintenance.contractors"},
        set(),
    ),
    "contractors when the type is none": (
        both(
            put("maintenance.type", "none"),
            put("maintenance.contractors", [{"name": "G", "until": "2027-12-31"}]),
        ),
        {"maintenance.contractors"},
        set(),
    ),
    "availableLanguages missing": (
        drop("localisation.availableLanguages"),
        {"localisation.availableLanguages"},
        set(),
    ),
    "availableLanguages empty": (
        put("localisation.availableLanguages", []),
        {"localisation.availableLanguages"},
        set(),
    ),
    "a language that is not one": (
        put("localisation.availableLanguages", ["xxx"]),
        {"localisation.availableLanguages[0]"},
        set(),
    ),
    "a language in POSIX form": (
        put("localisation.availableLanguages", ["hr_HR"]),
        {"localisation.availableLanguages[0]"},
        set(),
    ),
    "localisationReady missing": (
        drop("localisation.localisationReady"),
        {"localisation.localisationReady"},
        set(),
    ),
    # YAML 1.2: yes is text, not a boolean.
    "localisationReady: yes": (
        text("localisationReady: true", "localisationReady: yes"),
        {"localisation.localisationReady"},
        set(),
    ),
    "a dependency's name of the wrong type": (
        put("dependsOn", {"open": [{"name": ["SQLite"]}]}),
        {"dependsOn.open.name"},
        set(),
    ),
    "a dependency's versionMin of the wrong type": (
        put("dependsOn", {"open": [{"name": "SQLite", "versionMin": []}]}),
        {"dependsOn.open.versionMin"},
        set(),
    ),
    "a dependency's optional of the wrong type": (
        put("dependsOn", {"open": [{"name": "SQLite", "optional": "yes"}]}),
        {"dependsOn.open.optional"},
        set(),
    ),
    "dependsOn.open a mapping": (
        put("dependsOn", {"open": {"name": "SQLite"}}),
        {"dependsOn.open.name"},
        set(),
    ),
    "IT.countryExtensionVersion unknown": (
        put("IT", {"countryExtensionVersion": "3.0"}),
        {"IT.countryExtensionVersion"},
        set(),
    ),
    "both IT and it": (both(put("IT", {}), put("it", {})), {"it"}, {"it"}),
    "It in the wrong case": (put("It", {}), {"It"}, set()),
    "an unknown key": (put("foobar", "x"), {"foobar"}, set()),
    # mostly_empty.yml (the reference writes "description[en-US].shortDescription").
    "mostly empty": (
        lambda data: (
            data.clear()
            or data.update(
                {
                    "publiccodeYmlVersion": "0",
                    "description": {"en-US": {}},
                    "legal": {},
                    "maintenance": {},
                    "localisation": {},
                }
            )
        ),
        {
            "name",
            "url",
            "platforms",
            "developmentStatus",
            "softwareType",
            "description.en-US.shortDescription",
            "description.en-US.longDescription",
            "description.en-US.features",
            "legal.license",
            "maintenance.type",
            "localisation.localisationReady",
            "localisation.availableLanguages",
        },
        set(),
    ),
    "an unknown key in a section": (put("legal.foobar", "x"), {"legal.foobar"}, set()),
    "a supports entry without an id": (put("supports", [{}]), {"supports[0].id"}, set()),
}

CASES = {
    **{f"valid: {k}": v for k, v in VALID.items()},
    **{f"valid with warnings: {k}": v for k, v in WITH_WARNINGS.items()},
    **{f"invalid: {k}": v for k, v in INVALID.items()},
}


def document(change) -> str:
    data = copy.deepcopy(BASE)
    data["releaseDate"] = "2017-04-15"
    if isinstance(change, tuple):
        _kind, old, new = change
        written = dump_publiccode(data)
        # The dumper writes these two plainly; the cases above replace them as written.
        written = written.replace("publiccodeYmlVersion: '0'", 'publiccodeYmlVersion: "0"')
        written = written.replace("releaseDate: '2017-04-15'", 'releaseDate: "2017-04-15"')
        assert old in written, written
        return written.replace(old, new)
    if change is not None:
        change(data)
    return dump_publiccode(data)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_verdict_and_key_paths_are_the_reference_parsers(case):
    change, errors, warnings = CASES[case]
    problems = check_publiccode(document(change))
    assert {p.path for p in problems if p.is_error} == errors, [p.line() for p in problems]
    assert {p.path for p in problems if not p.is_error} == warnings, [p.line() for p in problems]


def test_a_warning_alone_leaves_the_file_valid():
    change, _errors, _warnings = WITH_WARNINGS["legal.repoOwner"]
    assert validate_publiccode(document(change)) == []


def test_checks_that_need_the_network_are_listed_as_skipped_only_when_asked():
    data = copy.deepcopy(BASE)
    data["landingURL"] = "https://example.org"
    data["description"]["en"]["videos"] = ["https://www.youtube.com/watch?v=x"]
    assert check_publiccode(data) == []
    skipped = check_publiccode(data, report_skipped=True)
    assert {p.path for p in skipped} == {"url", "landingURL", "description.en.videos[0]"}
    assert {(p.code, p.severity) for p in skipped} == {("not_checked", "warning")}


BOMBS = {
    "billion laughs": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n" * 1,
    "deep nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "a huge number": "a: " + "9" * 200_000 + "\n",
    "a python tag": "a: !!python/object/apply:os.system ['true']\n",
}


@pytest.mark.parametrize("case", BOMBS, ids=list(BOMBS))
def test_bombs_are_refused_quickly(case):
    # CPU time of this process, so a busy machine does not make the test flaky.
    started = time.process_time()
    problems = check_publiccode(BOMBS[case])
    assert time.process_time() - started <= 0.3
    assert [(p.path, p.code) for p in problems] == [("", "invalid_yaml")]
