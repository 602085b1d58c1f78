"""The audit trail in words: every action the services write has a sentence; a verdict reads
"Tester Tessa rejected SUB-1: …" with the tester's organisation and a link to the delivery;
values read as yes/no, long dates and labels; filters by organisation; the CSV export carries
the sentence and the raw fields, only for those who may read the trail, in a fixed number of
queries. Text is checked in English (the source language)."""

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from cooperative import trail, trail_csv
from cooperative.models import AuditRecord, MembershipRole
from sprints import services as sprints_services
from sprints.models import IncrementState, ItemStatus

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["platform", "sprints", "solutions", "integrations"]
# The functions that take an action code and pass it on to audit.record().
WRITERS = {"record", "_record", "_audit", "_save_transition"}
# Actions built at run time, with every value they can take.
DYNAMIC = {"increment.": [f"increment.{state}" for state in IncrementState.values]}


def _constants(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    if isinstance(node, ast.JoinedStr):
        prefix = node.values[0].value if isinstance(node.values[0], ast.Constant) else ""
        assert prefix in DYNAMIC, f"an action built at run time, unknown to this test: {prefix}"
        return [a for a in DYNAMIC[prefix] if a not in {"increment.draft", "increment.submitted"}]
    return []  # a variable passed on: its value is found where the caller wrote it


def written_actions() -> set[str]:
    """Every action code any service passes to the audit trail, read from the source."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in WRITERS:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        found.update(_constants(keyword.value))
                # integrations' _record(actor, action, subscription, ...)
                if name == "_record" and len(node.args) >= 2:
                    found.update(a for a in _constants(node.args[1]) if "." in a)
    return found


def test_every_action_written_anywhere_has_a_sentence():
    actions = written_actions()
    # The scan itself works: it finds the ones written in each kind of place.
    assert {"verdict.rejected", "membership.applied", "increment.accepted"} <= actions
    assert "integrations.webhook_created" in actions
    missing = sorted(actions - set(trail.ACTIONS))
    assert not missing, f"actions without a sentence in cooperative/trail.py: {missing}"


def test_values_read_as_people_say_them():
    from cooperative.models import Membership

    role = Membership._meta.get_field("role")
    with translation.override("en"):
        assert trail.readable(True) == "yes"
        assert trail.readable(False) == "no"
        assert trail.readable(None) == "(none)"
        assert trail.readable("2026-12-06") == "6 December 2026"
        assert trail.readable(MembershipRole.PILOT, role) == str(MembershipRole.PILOT.label)
    with translation.override("nl"):
        assert trail.readable("2026-12-06") == "6 december 2026"


@pytest.fixture
def rejected(product, product_owner, developer, tester, active_sprint, coordinator):
    done, _todo = active_sprint.items.order_by("position")
    sprints_services.set_item_status(actor=developer, item=done, status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[done], sprint=active_sprint
    )
    increment = sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=3),
        testers=[tester],
    )
    sprints_services.give_verdict(
        actor=tester,
        increment=increment,
        item=done,
        accepted=False,
        remarks="Het concept verdwijnt na opslaan",
    )
    return increment, done


def client_for(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def audit_url(cooperative):
    return reverse("cooperative:audit", args=[cooperative.slug])


def test_a_verdict_reads_as_a_sentence_with_organisation_and_link(rejected, coordinator, zob):
    increment, item = rejected
    html = client_for(coordinator).get(audit_url(zob)).content.decode()
    record = AuditRecord.objects.get(action="verdict.rejected")
    row = html.split(f'id="audit-{record.pk}"')[1].split("</tr>")[0]
    said = " ".join(strip_tags(row).split())
    assert f"Tester Tessa rejected {item.reference}: Het concept verdwijnt na opslaan" in said
    # The organisation the record left empty is the tester's own.
    assert "Eindhoven" in row.split("data-organisation>")[1].split("</td>")[0]
    link = reverse(
        "sprints:acceptance",
        kwargs={"product_id": increment.product_id, "increment_id": increment.pk},
    )
    assert f'href="{link}"' in row
    assert "Accepted: no" in row
    assert "verdict.rejected" not in row.split(">", 1)[1]  # the code only in data-action
    # The product owner is named by their role in the team.
    submitted = AuditRecord.objects.get(action="increment.submitted")
    row = html.split(f'id="audit-{submitted.pk}"')[1].split("</tr>")[0]
    assert "Product owner Eva asked the testers to judge the delivery" in strip_tags(row)
    # An administrator is named as one; the object's name is the link to it.
    founded = AuditRecord.objects.get(action="cooperative.created")
    row = html.split(f'id="audit-{founded.pk}"')[1].split("</tr>")[0]
    assert "Administrator " in strip_tags(row)
    assert f'<a class="utrecht-link" href="/cooperatives/{zob.slug}/">{zob.name}</a>' in row


def test_every_record_of_the_demo_like_world_reads_without_codes(rejected, coordinator, zob):
    entries = trail.describe(AuditRecord.objects.filter(cooperative=zob), coordinator)
    assert entries
    for entry in entries:
        assert entry.record.action not in entry.sentence, entry.sentence


def test_the_trail_filters_by_organisation(rejected, coordinator, zob, gemboxx, eindhoven):
    client = client_for(coordinator)
    html = client.get(audit_url(zob), {"organisation": gemboxx.pk}).content.decode()
    # The developer works for Gemboxx: the delivery they put together is Gemboxx's.
    assert 'data-action="increment.created"' in html
    assert 'data-action="verdict.rejected"' not in html
    html = client.get(audit_url(zob), {"organisation": eindhoven.pk}).content.decode()
    assert 'data-action="verdict.rejected"' in html
    assert 'data-action="increment.created"' not in html


def test_the_page_links_to_the_csv_with_its_filters(rejected, coordinator, zob, eindhoven):
    html = client_for(coordinator).get(
        audit_url(zob), {"organisation": eindhoven.pk, "action": "verdict.rejected"}
    )
    html = html.content.decode()
    export = reverse("api:audit-record-export")
    assert f'href="{export}?cooperative={zob.slug}&amp;action=verdict.rejected' in html
    assert f"organisation={eindhoven.pk}" in html


def read_csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    # For Excel with Dutch settings: a byte order mark (else ö/ë garble) and ';' between cells.
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_has_the_sentence_and_the_raw_fields(rejected, coordinator, zob, eindhoven):
    _increment, item = rejected
    rows = read_csv(
        client_for(coordinator).get(
            reverse("api:audit-record-export"),
            {"cooperative": zob.slug, "action": "verdict.rejected"},
        )
    )
    header, *body = rows
    assert header[:3] == ["Sentence", "Time", "Action code"]
    assert len(body) == 1
    line = dict(zip(header, body[0], strict=True))
    assert line["Sentence"].startswith(f"Tester Tessa rejected {item.reference}")
    assert line["Action code"] == "verdict.rejected"
    assert line["Organisation"] == "Eindhoven"
    # The raw id of the organisation named beside it, also when the record left it to the actor.
    assert line["Organisation id"] == str(eindhoven.pk)
    # The object the sentence names, not the verdict's "✓ tester".
    assert line["Object"] == item.reference
    assert '"accepted": [null, false]' in line["Changes"]


def test_csv_cells_never_start_a_formula(zob, coordinator):
    record = AuditRecord.objects.filter(cooperative=zob).first()
    AuditRecord.objects.create(
        actor=record.actor,
        actor_name="=HYPERLINK(1)",
        cooperative=zob,
        action="membership.left",
        object_type=record.object_type,
        object_id=record.object_id,
        object_repr=record.object_repr,
        reason="@SUM(1)",
    )
    body = client_for(coordinator).get(
        reverse("api:audit-record-export"), {"cooperative": zob.slug}
    )
    text = body.content.decode()
    assert ";=HYPERLINK" not in text and ";@SUM" not in text
    assert "'=HYPERLINK(1)" in text


def test_csv_only_for_those_who_read_the_trail(cooperative_world):
    export = reverse("api:audit-record-export")
    zob = cooperative_world["zob"]
    assert Client().get(export).status_code in {401, 403}
    for who in ("outsider_person", "member_person"):
        assert client_for(cooperative_world[who]).get(export).status_code == 403
    # Another cooperative's coordinator reads none of this one's records.
    rows = read_csv(
        client_for(cooperative_world["other_coordinator"]).get(export, {"cooperative": zob.slug})
    )
    assert len(rows) == 1
    # The page itself: 403 for a member, the login page for nobody.
    assert client_for(cooperative_world["member_person"]).get(audit_url(zob)).status_code == 403


def _bulk(zob, count):
    template = AuditRecord.objects.filter(cooperative=zob, action="membership.approved").first()
    AuditRecord.objects.bulk_create(
        AuditRecord(
            actor=template.actor,
            actor_name=template.actor_name,
            cooperative=zob,
            organisation=template.organisation,
            action=template.action,
            object_type=template.object_type,
            object_id=template.object_id,
            object_repr=template.object_repr,
            changes={"state": ["applied", "approved"], "paid_on": [None, "2026-12-06"]},
        )
        for _ in range(count)
    )


def _queries(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def test_page_and_csv_cost_the_same_queries_at_two_sizes(rejected, coordinator, zob):
    """One query per kind of object on the page, never per record: with the same kinds (one
    action's records) 4 and 44 records cost the same."""
    client = client_for(coordinator)
    export = reverse("api:audit-record-export")
    kind = {"action": "membership.approved"}
    client.get(audit_url(zob))  # warm the content types and the session
    _bulk(zob, 3)

    def both():
        return (
            _queries(client, audit_url(zob), kind),
            _queries(client, export, {"cooperative": zob.slug, **kind}),
        )

    small = both()
    _bulk(zob, 40)
    assert both() == small


def test_the_trail_speaks_dutch(rejected, coordinator, zob):
    """The brief's example, "Tester … wees SUB-14 af: <reden>" (with the compiled catalogue)."""
    _increment, item = rejected
    with translation.override("nl"):
        [entry] = trail.describe(AuditRecord.objects.filter(action="verdict.rejected"), coordinator)
        assert (
            entry.sentence
            == f"Tester Tessa wees {item.reference} af: Het concept verdwijnt na opslaan"
        )
        assert {c["field"]: c["after"] for c in entry.changes}["accepted"] == "nee"
        assert entry.kind == "Item afgewezen"


def test_csv_headings_in_dutch(rejected, coordinator, zob):
    """Every heading in the request's language (Dutch here, with the compiled catalogue)."""
    response = client_for(coordinator).get(
        reverse("api:audit-record-export"),
        {"cooperative": zob.slug, "action": "verdict.rejected"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    with translation.override("nl"):
        expected = trail_csv.header()
    header, *_rows = read_csv(response)
    assert header == expected
    assert header[:2] == ["Zin", "Tijdstip"] and "Organisatie" in header
    assert "organisation" not in header and "at" not in header


def test_people_in_changes_read_as_full_names(coordinator, zob):
    """People in changes read as full names ("Uitvoerder: van Joris Bakker naar Sanne van
    Dijk"), not their login names, looked up for the whole page at once."""
    from django.contrib.auth import get_user_model

    users = get_user_model()
    joris = users.objects.create_user("joris", first_name="Joris", last_name="Bakker")
    sanne = users.objects.create_user("sanne", first_name="Sanne", last_name="van Dijk")
    template = AuditRecord.objects.filter(cooperative=zob).first()
    for changes in (
        {"assignee": [joris.username, sanne.username]},
        {"product_owner": [f"{joris.username}, {sanne.username}", "nobody-known"]},
        {"testers": [None, [joris.username]]},
    ):
        AuditRecord.objects.create(
            actor=template.actor,
            actor_name=template.actor_name,
            cooperative=zob,
            action="item.assigned",
            object_type=template.object_type,
            object_id=template.object_id,
            object_repr=template.object_repr,
            changes=changes,
        )
    records = AuditRecord.objects.filter(action="item.assigned").order_by("pk")
    entries = trail.describe(records, coordinator)
    changes = [entry.changes[0] for entry in entries]
    assert (changes[0]["before"], changes[0]["after"]) == ("Joris Bakker", "Sanne van Dijk")
    assert changes[1]["before"] == "Joris Bakker, Sanne van Dijk"
    assert changes[1]["after"] == "nobody-known"  # a name no longer known stays as it was
    assert changes[2]["after"] == "Joris Bakker"
