"""The sprints API: the acceptance loop end to end, and bad input answered with a clear 4xx."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from sprints import services as sprint_services
from sprints.models import BacklogItem, IncrementItem, ItemOutcome, SprintState, Verdict
from tests.sprints.snapshots import nothing_written

pytestmark = pytest.mark.django_db

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def as_(user) -> APIClient:
    # In English, so the tests can read the messages whatever the catalogue says.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def problem(response, status, field):
    """The one error shape, naming the field at fault."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    assert field in [error["field"] for error in body["errors"]], body
    assert all(error["message"] for error in body["errors"])
    return body


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a directory of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def uploaded(media) -> list:
    return sorted(path.name for path in media.rglob("*") if path.is_file())


# --- The acceptance loop -----------------------------------------------------------------------
def test_acceptance_loop_end_to_end_through_the_api(
    product, product_owner, developer, tester, second_tester, media
):
    po, dev, tessa, timo = as_(product_owner), as_(developer), as_(tester), as_(second_tester)
    backlog = f"{API}/products/{product.pk}/backlog/"

    # The product owner fills and orders the backlog.
    created = [
        ok(
            po.post(
                backlog,
                {
                    "title": title,
                    "description": "Als aanvrager wil ik ...",
                    "acceptance_criteria": ["Het formulier bewaart een concept"],
                    "estimate": 3,
                },
            ),
            201,
        )
        for title in ("Aanvraagformulier", "Bevestigingsmail", "Overzicht aanvragen")
    ]
    assert [item["reference"] for item in created] == ["SUB-1", "SUB-2", "SUB-3"]
    assert all(item["ready"] for item in created)
    idea = ok(po.post(backlog, {"title": "Koppeling met de boekhouding"}), 201)
    assert idea["ready"] is False
    form, mail, overview = (item["id"] for item in created)
    ok(po.post(f"{backlog}move/", {"item": overview, "to": "top"}))
    ok(po.post(f"{backlog}move/", {"item": idea["id"], "after": overview}))
    order = [row["reference"] for row in ok(po.get(backlog))["results"]]
    assert order == ["SUB-3", "SUB-4", "SUB-1", "SUB-2"]

    # Plan, commit and start sprint 1.
    sprint = ok(
        po.post(
            f"{API}/products/{product.pk}/sprints/", {"start": localdate(), "goal": "Aanvragen"}
        ),
        201,
    )
    assert sprint["number"] == 1 and sprint["state"] == "planned"
    assert sprint["end"] == str(localdate() + timedelta(days=13))  # the last day, inclusive
    commitment = ok(po.post(f"{API}/sprints/{sprint['id']}/commit/", {"items": [form, mail]}))
    assert commitment["points"] == 6
    assert commitment["average_velocity"] is None
    assert commitment["exceeds_velocity"] is False and commitment["warning"] is None
    ok(po.post(f"{API}/sprints/{sprint['id']}/start/"))
    board = ok(po.get(f"{API}/sprints/{sprint['id']}/"))
    assert board["state"] == "active"
    assert [item["id"] for item in board["board"]["todo"]] == [form, mail]
    assert [row["reference"] for row in ok(po.get(backlog))["results"]] == ["SUB-3", "SUB-4"]

    # The developer moves the items across the board to done.
    for item in (form, mail):
        assert ok(dev.post(f"{API}/items/{item}/status/", {"status": "in_progress"}))["status"] == (
            "in_progress"
        )
        ok(dev.post(f"{API}/items/{item}/status/", {"status": "done"}))
    board = ok(dev.get(f"{API}/sprints/{sprint['id']}/"))
    assert [item["id"] for item in board["board"]["done"]] == [form, mail]
    assert board["points"] == 6 and board["remaining"] == 0

    # An increment of the done work goes to both testers.
    increment = ok(
        dev.post(
            f"{API}/increments/",
            {
                "product": product.pk,
                "version": "0.1.0",
                "items": [form, mail],
                "sprint": sprint["id"],
                "release_notes": "Aanvragen indienen.",
            },
        ),
        201,
    )
    assert increment["state"] == "draft"
    deadline = localdate() + timedelta(days=5)
    increment = ok(dev.post(f"{API}/increments/{increment['id']}/submit/", {"deadline": deadline}))
    assert increment["state"] == "submitted"
    assert {tester["username"] for tester in increment["testers"]} == {"tessa", "timo"}
    inbox = ok(tessa.get(f"{API}/me/inbox/"))
    assert inbox["count"] == 2
    assert inbox["results"][0]["increment"]["deadline"] == str(deadline)
    assert {entry["item"]["reference"] for entry in inbox["results"]} == {"SUB-1", "SUB-2"}

    # One tester accepts the form and rejects the mail, with remarks and a screenshot.
    verdicts = f"{API}/increments/{increment['id']}/verdicts/"
    ok(tessa.post(verdicts, {"item": form, "accepted": True}), 201)
    rejection = ok(
        tessa.post(
            verdicts,
            {
                "item": mail,
                "accepted": "false",
                "remarks": "De mail komt niet aan bij een Hotmail-adres.",
                "screenshot": SimpleUploadedFile("mail.png", PNG, content_type="image/png"),
            },
            format="multipart",
        ),
        201,
    )
    assert rejection["accepted"] is False and rejection["item_outcome"] == "rejected"
    shot = tessa.get(rejection["screenshot"])
    assert shot["Content-Type"] == "image/png" and b"".join(shot.streaming_content) == PNG
    assert len(uploaded(media)) == 1
    ok(timo.post(verdicts, {"item": form, "accepted": True}), 201)
    assert ok(po.get(f"{API}/increments/{increment['id']}/"))["state"] == "rejected"
    assert len(ok(po.get(verdicts))["results"]) == 3

    # The follow-up is at the top of the backlog, carrying the remarks.
    top = ok(po.get(backlog))["results"][0]
    assert top["id"] == rejection["follow_up"]
    assert top["kind"] == "bug" and top["reference"] == "SUB-5"
    assert top["description"] == "De mail komt niet aan bij een Hotmail-adres."
    follow_up = po.get(f"{API}/items/{top['id']}/")
    assert ok(follow_up)["follows_up_on"] == "SUB-2"

    # The team makes it ready, fixes it within the sprint and delivers it again.
    fixed = ok(
        po.patch(
            f"{API}/items/{top['id']}/",
            {"acceptance_criteria": ["Mail komt aan bij Hotmail"], "estimate": 2},
            HTTP_IF_MATCH=follow_up["ETag"],
        )
    )
    assert fixed["ready"] is True and fixed["version"] == 2
    assert (
        ok(po.post(f"{API}/sprints/{sprint['id']}/commit/", {"items": [top["id"]]}))["points"] == 8
    )
    ok(dev.post(f"{API}/items/{top['id']}/status/", {"status": "done"}))
    second = ok(
        dev.post(
            f"{API}/increments/",
            {"product": product.pk, "version": "0.2.0", "items": [mail, top["id"]]},
        ),
        201,
    )
    ok(dev.post(f"{API}/increments/{second['id']}/submit/", {"deadline": deadline}))
    verdicts = f"{API}/increments/{second['id']}/verdicts/"
    for client in (tessa, timo):
        for item in (mail, top["id"]):
            ok(client.post(verdicts, {"item": item, "accepted": True}), 201)
    second = ok(po.get(f"{API}/increments/{second['id']}/"))
    assert second["state"] == "accepted"
    assert {item["outcome"] for item in second["items"]} == {"accepted"}
    assert ok(tessa.get(f"{API}/me/inbox/"))["count"] == 0

    # The history of the mail shows the superseded rejection and both acceptances.
    history = ok(po.get(f"{API}/items/{mail}/"))
    assert history["status"] == "accepted"
    assert [
        (v["increment_version"], v["accepted"], v["superseded"]) for v in history["verdicts"]
    ] == [
        ("0.1.0", False, True),
        ("0.2.0", True, False),
        ("0.2.0", True, False),
    ]
    assert history["verdicts"][0]["remarks"] == "De mail komt niet aan bij een Hotmail-adres."

    # The sprint closes; its velocity and burndown come from the history.
    ok(po.post(f"{API}/sprints/{sprint['id']}/finish/"))
    closed = ok(po.post(f"{API}/sprints/{sprint['id']}/close/"))
    assert closed["state"] == "closed"
    assert closed["velocity"] == 8  # stored when it closed
    velocity = ok(po.get(f"{API}/products/{product.pk}/velocity/"))
    assert velocity["sprints"] == [{"id": sprint["id"], "sprint": 1, "points": 8, "committed": 8}]
    assert velocity["average_velocity"] == "8.0"
    burndown = ok(po.get(f"{API}/sprints/{sprint['id']}/burndown/"))
    assert burndown["days"][0]["date"] == str(localdate())
    assert burndown["days"][0]["remaining"] == 0
    assert len(burndown["days"]) == 14

    # Committing more than the velocity warns.
    sprint_two = ok(po.post(f"{API}/products/{product.pk}/sprints/", {"start": localdate()}), 201)
    big = ok(
        po.post(backlog, {"title": "Groot", "acceptance_criteria": ["Werkt"], "estimate": 13}),
        201,
    )
    commitment = ok(
        po.post(f"{API}/sprints/{sprint_two['id']}/commit/", {"items": [overview, big["id"]]})
    )
    assert commitment["points"] == 16 and commitment["exceeds_velocity"] is True
    assert "16" in commitment["warning"] and "8.0" in commitment["warning"]


# --- Bad input: a clear 4xx and nothing written ----------------------------------------------
@pytest.fixture
def submitted(product, product_owner, developer, tester, second_tester, active_sprint):
    """Sprint 1 active with SUB-1 done and delivered in 0.1.0, awaiting both testers."""
    form, _confirmation = active_sprint.items.order_by("position")
    sprint_services.set_item_status(actor=developer, item=form, status="done")
    increment = sprint_services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[form], sprint=active_sprint
    )
    return sprint_services.submit_increment(
        actor=product_owner, increment=increment, deadline=localdate() + timedelta(days=3)
    )


def test_committing_an_item_that_is_not_ready(product, product_owner, make_item, active_sprint):
    idea = make_item("Idee", ready=False)
    with nothing_written():
        body = problem(
            as_(product_owner).post(
                f"{API}/sprints/{active_sprint.pk}/commit/", {"items": [idea.pk]}
            ),
            400,
            "items",
        )
    assert "SUB-3 is not ready" in body["detail"]


def test_a_second_active_sprint_is_refused(product, product_owner, active_sprint):
    planned = sprint_services.plan_sprint(actor=product_owner, product=product, start=localdate())
    with nothing_written():
        body = problem(as_(product_owner).post(f"{API}/sprints/{planned.pk}/start/"), 409, "state")
    assert "already has an active sprint" in body["detail"]
    planned.refresh_from_db()
    assert planned.state == SprintState.PLANNED


def test_a_verdict_on_an_item_not_in_the_increment(tester, submitted, active_sprint):
    other = active_sprint.items.order_by("position").last()
    with nothing_written():
        problem(
            as_(tester).post(
                f"{API}/increments/{submitted.pk}/verdicts/", {"item": other.pk, "accepted": True}
            ),
            400,
            "item",
        )


def test_a_rejection_needs_remarks(tester, submitted, media):
    item = submitted.items.get()
    url = f"{API}/increments/{submitted.pk}/verdicts/"
    with nothing_written():
        for remarks in ("", "   "):
            body = problem(
                as_(tester).post(url, {"item": item.pk, "accepted": False, "remarks": remarks}),
                400,
                "remarks",
            )
            assert body["errors"][0]["code"] == "required"
        # In a form, a forgotten `accepted` is not read as a rejection.
        problem(
            as_(tester).post(url, {"item": item.pk, "remarks": "x"}, format="multipart"),
            400,
            "accepted",
        )
    assert not Verdict.objects.exists()
    assert uploaded(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("shot.png", b"<html><script>alert(1)</script></html>", "PNG, JPEG or WebP"),
        ("shot.pdf", b"%PDF-1.4\n" + bytes(100), "PNG, JPEG or WebP"),
        ("huge.png", PNG + bytes(5 * 1024 * 1024), "at most 5 MB"),
    ],
)
def test_a_screenshot_must_be_a_small_image(tester, submitted, media, name, content, message):
    item = submitted.items.get()
    with nothing_written():
        body = problem(
            as_(tester).post(
                f"{API}/increments/{submitted.pk}/verdicts/",
                {
                    "item": item.pk,
                    "accepted": "false",
                    "remarks": "Knop doet niets",
                    "screenshot": SimpleUploadedFile(name, content, content_type="image/png"),
                },
                format="multipart",
            ),
            400,
            "screenshot",
        )
    assert message in body["errors"][0]["message"]
    assert uploaded(media) == []


@pytest.mark.parametrize(
    "signature", [b"\xff\xd8\xff\xe0" + bytes(20), b"RIFF\x00\x00\x00\x00WEBP"]
)
def test_jpeg_and_webp_screenshots_are_accepted(tester, submitted, media, signature):
    item = submitted.items.get()
    verdict = as_(tester).post(
        f"{API}/increments/{submitted.pk}/verdicts/",
        {
            "item": item.pk,
            "accepted": "false",
            "remarks": "Knop doet niets",
            "screenshot": SimpleUploadedFile("shot.bin", signature, content_type="image/png"),
        },
        format="multipart",
    )
    extension = "jpg" if signature.startswith(b"\xff") else "webp"
    shot = as_(tester).get(ok(verdict, 201)["screenshot"])
    assert shot["Content-Type"] == {"jpg": "image/jpeg", "webp": "image/webp"}[extension]
    assert [name.rsplit(".", 1)[1] for name in uploaded(media)] == [extension]


def test_a_move_next_to_an_item_of_another_product(
    zob, eindhoven, product, product_owner, make_item
):
    first, second = make_item("Een"), make_item("Twee")
    other_product = sprint_services.create_product(
        actor=product_owner, cooperative=zob, owner=eindhoven, name="Inwonerscloud", key="INW"
    )
    foreign = sprint_services.create_item(actor=product_owner, product=other_product, title="Ander")
    url = f"{API}/products/{product.pk}/backlog/move/"
    with nothing_written():
        for field in ("before", "after"):
            body = problem(
                as_(product_owner).post(url, {"item": second.pk, field: foreign.pk}), 400, field
            )
            assert body["errors"][0]["message"] == f"There is no item {foreign.pk} in this product."
        # Nor can an item of another product be moved through this product's backlog.
        problem(as_(product_owner).post(url, {"item": foreign.pk, "to": "top"}), 400, "item")
        problem(as_(product_owner).post(url, {"item": first.pk}), 400, "to")
        # Ids no item can have (the move's read is SQL written out): a 400 naming the field.
        for pk in (2**63, 10**30, 0, -5):
            problem(as_(product_owner).post(url, {"item": pk, "to": "top"}), 400, "item")
            problem(as_(product_owner).post(url, {"item": first.pk, "before": pk}), 400, "before")
        problem(as_(product_owner).post(url, {"item": first.pk, "to": "middle"}), 400, "to")
        problem(as_(product_owner).post(url, {"item": first.pk, "before": first.pk}), 400, "before")
        problem(
            as_(product_owner).post(url, {"item": first.pk, "before": second.pk, "to": "top"}),
            400,
            "to",
        )


def test_a_stale_edit_answers_412_with_what_changed(product_owner, developer, make_item):
    item = make_item("Aanvraagformulier")
    url = f"{API}/items/{item.pk}/"
    read = as_(developer).get(url)
    assert read["ETag"] == '"1"'
    ok(as_(product_owner).patch(url, {"title": "Subsidieaanvraag"}, HTTP_IF_MATCH='"1"'))
    with nothing_written():
        response = as_(developer).patch(url, {"estimate": 5}, HTTP_IF_MATCH=read["ETag"])
        body = problem(response, 412, "version")
    assert body["code"] == "stale"
    assert "SUB-1" in body["detail"] and "version 2" in body["detail"]
    assert body["current"]["title"] == "Subsidieaanvraag"
    assert body["current"]["version"] == 2
    assert response["ETag"] == '"2"'
    item.refresh_from_db()
    assert (item.title, item.estimate, item.version) == ("Subsidieaanvraag", 3, 2)


def test_an_edit_must_say_which_version_it_changes(product_owner, make_item):
    item = make_item()
    url = f"{API}/items/{item.pk}/"
    client = as_(product_owner)
    read = {"HTTP_IF_MATCH": '"1"'}
    with nothing_written():
        assert (
            problem(client.patch(url, {"title": "Nieuw"}), 400, "If-Match")["errors"][0]["code"]
            == "required"
        )
        problem(client.patch(url, {"title": "Nieuw"}, HTTP_IF_MATCH='"1", "2"'), 400, "If-Match")
        # The version is the header only: the body has no place for it.
        problem(client.patch(url, {"title": "Nieuw", "version": 1}, **read), 400, "version")
        problem(client.patch(url, {"status": "done"}, **read), 400, "status")
        problem(client.patch(url, {"estimate": 4}, **read), 400, "estimate")
        problem(client.patch(url, {"title": ""}, **read), 400, "title")
        problem(
            client.patch(url, {"acceptance_criteria": "werkt"}, **read),
            400,
            "acceptance_criteria",
        )
        problem(client.patch(url, ["not", "an", "object"]), 400, None)
    assert ok(client.patch(url, {"title": "Nieuw"}, HTTP_IF_MATCH='W/"1"'))["version"] == 2


def test_bad_input_names_the_field_and_never_fails_with_500(
    product, product_owner, developer, active_sprint, make_item
):
    po, dev = as_(product_owner), as_(developer)
    sprint, item = active_sprint, active_sprint.items.first()
    backlog = f"{API}/products/{product.pk}/backlog/"
    increments = f"{API}/increments/"
    commit = f"{API}/sprints/{sprint.pk}/commit/"
    status = f"{API}/items/{item.pk}/status/"
    sprints = f"{API}/products/{product.pk}/sprints/"
    cases = [
        (po.post, backlog, {}, "title"),
        (po.post, backlog, {"title": "x" * 201}, "title"),
        (po.post, backlog, {"title": "Ok", "kind": "epic"}, "kind"),
        (po.post, backlog, {"title": "Ok", "estimate": 4}, "estimate"),
        (
            po.post,
            backlog,
            {"title": "Ok", "acceptance_criteria": [["a"]]},
            "acceptance_criteria.0",
        ),
        (po.post, backlog, {"title": "Ok", "acceptance_criteria": "a"}, "acceptance_criteria"),
        (po.post, sprints, {"start": "morgen"}, "start"),
        (po.post, sprints, {}, "start"),
        (po.post, commit, {"items": []}, "items"),
        (po.post, commit, {"items": "1,2"}, "items"),
        (po.post, commit, {"items": [999_999]}, "items"),
        (dev.post, status, {"status": "accepted"}, "status"),
        (dev.post, status, {}, "status"),
        (dev.post, increments, {"product": product.pk}, "version"),
        (dev.post, increments, {"product": "SUB", "version": "1"}, "product"),
        (dev.post, increments, {"product": 999_999, "version": "1"}, "product"),
        (
            dev.post,
            increments,
            {"product": product.pk, "version": "1", "items": [item.pk]},
            "items",
        ),
        (
            dev.post,
            increments,
            {"product": product.pk, "version": "1", "items": [item.pk], "sprint": 999_999},
            "sprint",
        ),
        (dev.get, increments, None, "product"),
        (dev.get, f"{increments}?product=1.5", None, "product"),
        (dev.get, f"{increments}?product={product.pk}&state=lost", None, "state"),
        (
            po.post,
            f"{API}/products/",
            {"cooperative": "nope", "owner": 1, "name": "X", "key": "X1"},
            "cooperative",
        ),
    ]
    with nothing_written():
        for send, url, body, field in cases:
            problem(send(url, body), 400, field)
        # An item already on the board is no longer in the backlog: a conflict of states.
        problem(po.post(commit, {"items": [item.pk]}), 409, "items")
    malformed = po.generic("POST", backlog, "{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["code"] == "parse_error"


def test_increment_submission_bad_input(product, product_owner, developer, submitted, make_item):
    sprint_item = BacklogItem.objects.get(product=product, number=1)
    draft = sprint_services.create_increment(
        actor=developer, product=product, version="0.1.1", items=[sprint_item]
    )
    url = f"{API}/increments/{draft.pk}/submit/"
    with nothing_written():
        problem(as_(developer).post(url, {}), 400, "deadline")
        problem(
            as_(developer).post(url, {"deadline": str(localdate() - timedelta(days=1))}),
            400,
            "deadline",
        )
        problem(
            as_(developer).post(url, {"deadline": str(localdate()), "testers": [developer.pk]}),
            400,
            "testers",
        )
        problem(
            as_(developer).post(
                f"{API}/increments/{submitted.pk}/submit/", {"deadline": str(localdate())}
            ),
            409,
            "state",
        )
    assert IncrementItem.objects.filter(outcome=ItemOutcome.PENDING).count() == 2


def test_a_product_is_created_with_its_creator_as_product_owner(
    zob, eindhoven, eindhoven_membership, member_person, mgd, mgd_membership
):
    client = as_(member_person)
    created = ok(
        client.post(
            f"{API}/products/",
            {
                "cooperative": zob.slug,
                "owner": eindhoven.pk,
                "name": "Inwonerscloud",
                "key": "inw",
                "participants": [mgd.pk],
            },
        ),
        201,
    )
    assert created["key"] == "INW" and created["sprint_length_days"] == 14
    assert created["participants"] == [{"id": mgd.pk, "slug": mgd.slug, "name": mgd.name}]
    assert [(m["user"]["username"], m["role"]) for m in created["team"]] == [
        ("eva", "product_owner")
    ]
    listed = ok(client.get(f"{API}/products/"))
    assert [product["key"] for product in listed["results"]] == ["INW"]
    assert ok(client.get(f"{API}/products/{created['id']}/"))["item_count"] == 0
    with nothing_written():
        problem(
            client.post(
                f"{API}/products/",
                {"cooperative": zob.slug, "owner": eindhoven.pk, "name": "Ander", "key": "inw"},
            ),
            400,
            "key",
        )
        problem(
            client.post(
                f"{API}/products/",
                {"cooperative": zob.slug, "owner": eindhoven.pk, "name": "Ander", "key": "1X"},
            ),
            400,
            "key",
        )
        problem(
            client.post(
                f"{API}/products/",
                {
                    "cooperative": zob.slug,
                    "owner": eindhoven.pk,
                    "name": "Ander",
                    "key": "AND",
                    "sprint_length_days": 35,
                },
            ),
            400,
            "sprint_length_days",
        )


def test_participants_must_be_other_members_of_the_cooperative(
    zob, eindhoven, eindhoven_membership, member_person, woerden_application, woerden, utrecht
):
    client = as_(member_person)
    new = {"cooperative": zob.slug, "owner": eindhoven.pk, "name": "Inwonerscloud", "key": "INW"}
    with nothing_written():
        for participants, says in (
            ([utrecht.pk], "Utrecht is not one"),
            ([woerden.pk, utrecht.pk], "Utrecht is not one"),
            ([eindhoven.pk], "Eindhoven owns the product"),
        ):
            body = problem(
                client.post(f"{API}/products/", {**new, "participants": participants}),
                400,
                "participants",
            )
            assert says in body["errors"][0]["message"]
        problem(
            client.post(f"{API}/products/", {**new, "participants": [10**6]}), 400, "participants"
        )
    # An organisation whose membership is still being decided may take part.
    created = ok(client.post(f"{API}/products/", {**new, "participants": [woerden.pk]}), 201)
    assert [p["id"] for p in created["participants"]] == [woerden.pk]


def test_unknown_ids_answer_404_in_the_error_shape(product_owner, product):
    client = as_(product_owner)
    for url in (
        f"{API}/products/999999/",
        f"{API}/products/999999/backlog/",
        f"{API}/items/999999/",
        f"{API}/sprints/999999/",
        f"{API}/increments/999999/",
        f"{API}/items/{10**30}/",
        f"{API}/items/abc/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
