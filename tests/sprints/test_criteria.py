"""Acceptance criteria as rows, verdicts per criterion, follow-ups, re-tests and drafts."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from deelbaar.errors import Conflict, DomainError
from sprints import selectors, services
from sprints.models import (
    AcceptanceCriterion,
    BacklogItem,
    CriterionVerdict,
    DraftAnswer,
    IncrementState,
    ItemKind,
    ItemOutcome,
    ItemStatus,
    Product,
    Verdict,
)

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)

CRITERIA = [
    "De aanvrager ziet een bevestiging",
    "De bevestiging noemt het zaaknummer",
    "De bevestiging komt ook per e-mail",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def texts(item):
    return list(AcceptanceCriterion.objects.filter(item=item).values_list("text", flat=True))


def ids(item):
    return list(AcceptanceCriterion.objects.filter(item=item).values_list("pk", flat=True))


# --- criteria as rows ---------------------------------------------------------------------------
class TestCriteriaRows:
    def test_criteria_are_rows_in_order(self, product, product_owner):
        item = services.create_item(
            actor=product_owner, product=product, title="Bevestiging", acceptance_criteria=CRITERIA
        )
        assert texts(item) == CRITERIA
        assert item.acceptance_criteria == CRITERIA
        assert list(item.criteria.values_list("position", flat=True)) == [0, 1, 2]

    def test_an_edit_keeps_the_ids_of_criteria_it_names_or_keeps(self, product, product_owner):
        item = services.create_item(
            actor=product_owner, product=product, title="Bevestiging", acceptance_criteria=CRITERIA
        )
        first, second, third = ids(item)
        item = services.update_item(
            actor=product_owner,
            item=item,
            version=item.version,
            acceptance_criteria=[
                {"id": third, "text": "De bevestiging komt per e-mail"},
                {"id": first, "text": CRITERIA[0]},
                "Nieuw criterium",
            ],
        )
        assert texts(item) == [
            "De bevestiging komt per e-mail",
            CRITERIA[0],
            "Nieuw criterium",
        ]
        assert ids(item)[:2] == [third, first]
        assert not AcceptanceCriterion.objects.filter(pk=second).exists()
        # An old client sends the texts: unchanged ones keep their rows.
        kept = ids(item)
        item = services.update_item(
            actor=product_owner,
            item=item,
            version=item.version,
            acceptance_criteria=[CRITERIA[0], "Nieuw criterium"],
        )
        assert ids(item) == kept[1:]

    def test_a_criterion_of_another_item_cannot_be_named(self, product, product_owner, make_item):
        other = make_item("Ander")
        item = make_item("Dit")
        with pytest.raises(DomainError) as error:
            services.update_item(
                actor=product_owner,
                item=item,
                version=item.version,
                acceptance_criteria=[{"id": ids(other)[0], "text": "Overgenomen"}],
            )
        assert error.value.field == "acceptance_criteria"
        assert texts(other) == ["Het formulier bewaart een concept"]


# --- verdicts per criterion ---------------------------------------------------------------------
@pytest.fixture
def three_criteria(product, product_owner, developer, tester, second_tester):
    """Sprint 1 delivers one item with three criteria and one with one; submitted as 0.1.0."""
    sprint = services.plan_sprint(actor=product_owner, product=product, start=localdate())
    item = services.create_item(
        actor=product_owner,
        product=product,
        title="Bevestiging",
        acceptance_criteria=CRITERIA,
        estimate=5,
    )
    other = services.create_item(
        actor=product_owner,
        product=product,
        title="Formulier",
        acceptance_criteria=["Het formulier bewaart een concept"],
        estimate=3,
    )
    services.commit_items(actor=product_owner, sprint=sprint, items=[item, other])
    services.start_sprint(actor=product_owner, sprint=sprint)
    for each in (item, other):
        services.set_item_status(actor=developer, item=each, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=developer, product=product, version="0.1.0", items=[item, other], sprint=sprint
    )
    services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=localdate() + timedelta(days=5),
        testers=[tester, second_tester],
    )
    return sprint, increment, item, other


def answers(item, *, not_met=(), remarks="Geen zaaknummer te zien"):
    return [
        {
            "criterion": c.pk,
            "met": c.position not in not_met,
            "remarks": "" if c.position not in not_met else remarks,
        }
        for c in item.criteria.all()
    ]


def retest(product, product_owner, developer, sprint, follow_up, version="0.2.0"):
    """Sprint 2 fixes the follow-up; its increment asks both testers again."""
    services.close_sprint(actor=product_owner, sprint=sprint)
    follow_up = services.update_item(
        actor=product_owner, item=follow_up, version=follow_up.version, estimate=2
    )
    nxt = services.plan_sprint(
        actor=product_owner, product=product, start=sprint.end + timedelta(days=1)
    )
    services.commit_items(actor=product_owner, sprint=nxt, items=[follow_up])
    services.start_sprint(actor=product_owner, sprint=nxt)
    services.set_item_status(actor=developer, item=follow_up, status=ItemStatus.DONE)
    increment = services.create_increment(
        actor=developer, product=product, version=version, items=[follow_up], sprint=nxt
    )
    return services.submit_increment(
        actor=product_owner, increment=increment, deadline=localdate() + timedelta(days=5)
    )


class TestVerdictPerCriterion:
    def test_one_criterion_of_three_not_met_makes_one_linked_follow_up_and_its_re_test(
        self, product, product_owner, developer, tester, second_tester, three_criteria
    ):
        sprint, increment, item, other = three_criteria
        verdict = services.give_verdict(
            actor=tester, increment=increment, item=item, criteria=answers(item, not_met=[1])
        )
        assert verdict.accepted is False
        assert verdict.remarks == "De bevestiging noemt het zaaknummer: Geen zaaknummer te zien"
        assert [(c.text, c.met) for c in verdict.criteria.all()] == [
            (CRITERIA[0], True),
            (CRITERIA[1], False),
            (CRITERIA[2], True),
        ]
        (follow_up,) = verdict.follow_ups.all()
        assert follow_up.kind == ItemKind.BUG
        assert follow_up.title == "Follow-up of SUB-1: Bevestiging"
        assert follow_up.acceptance_criteria == [CRITERIA[1]]
        (copied,) = follow_up.criteria.all()
        failed = verdict.criteria.get(met=False)
        assert copied.follows_up == failed
        assert failed.criterion == item.criteria.get(position=1)
        assert selectors.backlog_for(product)[0] == follow_up

        # The rest of the increment decides as before: rejected once all items are judged.
        services.give_verdict(
            actor=second_tester, increment=increment, item=item, criteria=answers(item)
        )
        for person in (tester, second_tester):
            increment.refresh_from_db()
            assert increment.state == IncrementState.SUBMITTED
            services.give_verdict(
                actor=person, increment=increment, item=other, criteria=answers(other)
            )
        increment.refresh_from_db()
        assert increment.state == IncrementState.REJECTED
        assert increment.increment_items.get(item=item).outcome == ItemOutcome.REJECTED

        # The re-test of the follow-up shows what was not met last time, beside the criterion.
        again = retest(product, product_owner, developer, sprint, follow_up)
        last = selectors.last_time_not_met([follow_up])
        (criterion,) = follow_up.criteria.all()
        assert last[criterion.pk].remarks == "Geen zaaknummer te zien"
        assert last[criterion.pk].verdict.increment_item.increment.version == "0.1.0"

        # Accepting it accepts the follow-up, and the increment decides as before.
        for person in (tester, second_tester):
            services.give_verdict(
                actor=person, increment=again, item=follow_up, criteria=answers(follow_up)
            )
        follow_up.refresh_from_db()
        assert follow_up.status == ItemStatus.ACCEPTED
        again.refresh_from_db()
        assert again.state == IncrementState.ACCEPTED

    def test_the_product_owner_may_choose_one_follow_up_per_criterion(
        self, product, tester, three_criteria
    ):
        _sprint, increment, item, _other = three_criteria
        product.follow_up_per_criterion = True
        product.save(update_fields=["follow_up_per_criterion"])
        verdict = services.give_verdict(
            actor=tester, increment=increment, item=item, criteria=answers(item, not_met=[0, 2])
        )
        follow_ups = list(selectors.backlog_for(product)[:2])
        assert [f.acceptance_criteria for f in follow_ups] == [[CRITERIA[0]], [CRITERIA[2]]]
        assert all(f.follow_up_of == verdict for f in follow_ups)
        assert follow_ups[0].title == f"Follow-up of SUB-1: {CRITERIA[0]}"

    def test_every_criterion_is_answered_and_a_criterion_not_met_says_why(
        self, tester, three_criteria
    ):
        _sprint, increment, item, _other = three_criteria
        partial = answers(item)[:2]
        with pytest.raises(DomainError) as error:
            services.give_verdict(actor=tester, increment=increment, item=item, criteria=partial)
        assert (error.value.field, error.value.code) == ("criteria", "required")
        assert CRITERIA[2] in str(error.value)
        with pytest.raises(DomainError) as error:
            services.give_verdict(
                actor=tester,
                increment=increment,
                item=item,
                criteria=answers(item, not_met=[0], remarks="  "),
            )
        assert CRITERIA[0] in str(error.value)
        with pytest.raises(DomainError) as error:
            services.give_verdict(
                actor=tester, increment=increment, item=item, criteria=answers(item), accepted=False
            )
        assert error.value.field == "accepted"
        assert not Verdict.objects.exists()
        assert not CriterionVerdict.objects.exists()

    def test_a_verdict_on_the_whole_item_still_works(self, product, tester, three_criteria):
        _sprint, increment, item, _other = three_criteria
        verdict = services.give_verdict(
            actor=tester, increment=increment, item=item, accepted=False, remarks="Stuk"
        )
        (follow_up,) = verdict.follow_ups.all()
        assert (follow_up.description, follow_up.acceptance_criteria) == ("Stuk", [])
        assert not verdict.criteria.exists()


# --- a tester's draft -------------------------------------------------------------------------
class TestDraft:
    def test_answers_count_only_when_sent_and_only_when_complete(
        self, product, tester, second_tester, three_criteria
    ):
        _sprint, increment, item, other = three_criteria
        first, second, third = item.criteria.all()
        services.save_answer(
            actor=tester, increment=increment, item=item, criterion=first, met=True
        )
        services.save_answer(
            actor=tester, increment=increment, item=item, criterion=second, met=False
        )
        assert services.draft_progress(tester=tester, increment=increment) == {
            item.pk: "not every criterion is answered",
            other.pk: "not every criterion is answered",
        }
        with pytest.raises(DomainError) as error:
            services.send_verdicts(actor=tester, increment=increment)
        assert "SUB-1" in str(error.value) and "SUB-2" in str(error.value)
        services.save_answer(
            actor=tester, increment=increment, item=item, criterion=third, met=True
        )
        services.save_answer(
            actor=tester, increment=increment, item=item, criterion=second, remarks="Geen nummer"
        )
        # Saving again changes the one answer, never adds a second.
        services.save_answer(
            actor=tester, increment=increment, item=item, criterion=first, met=True
        )
        services.save_answer(
            actor=tester,
            increment=increment,
            item=other,
            criterion=other.criteria.get(),
            met=True,
        )
        services.save_answer(actor=tester, increment=increment, item=item, remarks="Verder prima")
        assert set(services.draft_progress(tester=tester, increment=increment).values()) == {None}
        assert not Verdict.objects.exists()

        verdicts = services.send_verdicts(actor=tester, increment=increment)
        assert {(v.increment_item.item, v.accepted) for v in verdicts} == {
            (item, False),
            (other, True),
        }
        rejected = next(v for v in verdicts if not v.accepted)
        assert rejected.remarks == "Verder prima"
        assert rejected.criteria.get(met=False).remarks == "Geen nummer"
        assert rejected.follow_ups.get().acceptance_criteria == [CRITERIA[1]]
        assert not DraftAnswer.objects.filter(tester=tester).exists()
        with pytest.raises(Conflict):
            services.send_verdicts(actor=tester, increment=increment)

    def test_an_item_already_rejected_by_another_tester_can_still_be_judged(
        self, tester, second_tester, three_criteria
    ):
        _sprint, increment, item, other = three_criteria
        services.give_verdict(
            actor=second_tester, increment=increment, item=item, criteria=answers(item, not_met=[0])
        )
        services.give_verdict(
            actor=second_tester, increment=increment, item=other, criteria=answers(other)
        )
        for entry_item in (other, item):
            for criterion in entry_item.criteria.all():
                services.save_answer(
                    actor=tester,
                    increment=increment,
                    item=entry_item,
                    criterion=criterion,
                    met=True,
                )
        # Judging the last pending item decides the increment; the rejected one goes first.
        services.send_verdicts(actor=tester, increment=increment)
        increment.refresh_from_db()
        assert increment.state == IncrementState.REJECTED
        assert Verdict.objects.filter(tester=tester).count() == 2


# --- through the API ----------------------------------------------------------------------------
def as_(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


class TestApi:
    def test_criteria_are_objects_and_strings_are_still_accepted(self, product, product_owner):
        po = as_(product_owner)
        created = po.post(
            f"/api/v1/products/{product.pk}/backlog/",
            {"title": "Bevestiging", "acceptance_criteria": CRITERIA[:2]},
            format="json",
        )
        assert created.status_code == 201, created.content
        criteria = created.json()["acceptance_criteria"]
        assert [(c["order"], c["text"], c["follows_up"]) for c in criteria] == [
            (0, CRITERIA[0], None),
            (1, CRITERIA[1], None),
        ]
        item = created.json()["id"]
        changed = po.patch(
            f"/api/v1/items/{item}/",
            {"acceptance_criteria": [{"id": criteria[1]["id"], "text": "Gewijzigd"}, "Nieuw"]},
            format="json",
            HTTP_IF_MATCH=created["ETag"],
        )
        assert changed.status_code == 200, changed.content
        after = changed.json()["acceptance_criteria"]
        assert [(c["text"]) for c in after] == ["Gewijzigd", "Nieuw"]
        assert after[0]["id"] == criteria[1]["id"]
        bad = po.patch(
            f"/api/v1/items/{item}/",
            {"acceptance_criteria": [{"id": "x", "text": "a"}]},
            format="json",
            HTTP_IF_MATCH=changed["ETag"],
        )
        assert bad.status_code == 400
        assert "acceptance_criteria" in str(bad.json())
        for criterion in ({"id": 10**12, "text": "a"}, "nul\x00teken", {"text": 3}):
            refused = po.patch(
                f"/api/v1/items/{item}/",
                {"acceptance_criteria": [criterion]},
                format="json",
                HTTP_IF_MATCH=changed["ETag"],
            )
            assert refused.status_code == 400, (criterion, refused.content)
            assert "acceptance_criteria" in str(refused.json())

    def test_a_tester_rejects_one_criterion_of_three_through_the_api(
        self, product, product_owner, developer, tester, second_tester, three_criteria
    ):
        sprint, increment, item, other = three_criteria
        client = as_(tester)
        url = f"/api/v1/increments/{increment.pk}/verdicts/"
        body = {"item": item.pk, "criteria": answers(item, not_met=[1])}
        missing_remarks = client.post(
            url,
            {"item": item.pk, "criteria": answers(item, not_met=[1], remarks="")},
            format="json",
        )
        assert missing_remarks.status_code == 400
        neither = client.post(url, {"item": item.pk}, format="json")
        assert neither.status_code == 400 and "accepted" in str(neither.json())
        given = client.post(url, body, format="json")
        assert given.status_code == 201, given.content
        verdict = given.json()
        assert verdict["accepted"] is False
        assert [(c["text"], c["met"]) for c in verdict["criteria"]] == [
            (CRITERIA[0], True),
            (CRITERIA[1], False),
            (CRITERIA[2], True),
        ]
        (follow_up_id,) = verdict["follow_ups"]
        assert verdict["follow_up"] == follow_up_id
        shown = as_(product_owner).get(f"/api/v1/items/{follow_up_id}/").json()
        assert shown["follows_up_on"] == item.reference
        (criterion,) = shown["acceptance_criteria"]
        assert criterion["text"] == CRITERIA[1]
        assert criterion["follows_up"] == {
            "item": item.reference,
            "increment_version": "0.1.0",
            "remarks": "Geen zaaknummer te zien",
        }
        # The other items are judged as a whole by an old client; the increment decides.
        as_(second_tester).post(url, {"item": item.pk, "accepted": True}, format="json")
        for person in (tester, second_tester):
            as_(person).post(url, {"item": other.pk, "accepted": True}, format="json")
        assert as_(tester).get(f"/api/v1/increments/{increment.pk}/").json()["state"] == (
            IncrementState.REJECTED
        )

        # Re-test: the follow-up, accepted criterion by criterion, is accepted.
        follow_up = BacklogItem.objects.get(pk=follow_up_id)
        again = retest(product, product_owner, developer, sprint, follow_up)
        for person in (tester, second_tester):
            response = as_(person).post(
                f"/api/v1/increments/{again.pk}/verdicts/",
                {"item": follow_up.pk, "criteria": answers(follow_up)},
                format="json",
            )
            assert response.status_code == 201, response.content
        assert as_(tester).get(f"/api/v1/items/{follow_up.pk}/").json()["status"] == "accepted"
        assert as_(tester).get(f"/api/v1/increments/{again.pk}/").json()["state"] == "accepted"


# --- the tester's page ----------------------------------------------------------------------------
def page_client(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


class TestJudgePage:
    def test_a_tester_works_through_the_page_without_javascript(
        self, product, tester, second_tester, three_criteria
    ):
        _sprint, increment, item, other = three_criteria
        kwargs = {"product_id": product.pk, "increment_id": increment.pk}
        page = reverse("sprints:judge", kwargs=kwargs)
        answer = reverse("sprints:judge_answer", kwargs=kwargs)
        client = page_client(tester)
        html = client.get(page).content.decode()
        assert "0 of 2 items judged" in html
        assert all(text in html for text in CRITERIA)
        assert not re.search(r"\bgit\b", html, re.IGNORECASE)
        first, second, third = item.criteria.all()
        for criterion, met, remarks in (
            (first, "yes", ""),
            (second, "no", "Geen zaaknummer"),
            (third, "yes", ""),
        ):
            saved = client.post(
                answer,
                {"item": item.pk, "criterion": criterion.pk, "met": met, "remarks": remarks},
            )
            assert saved.status_code == 302
            assert saved["Location"] == f"{page}#answer-{item.pk}-{criterion.pk}"
        html = client.get(page).content.decode()
        assert "1 of 2 items judged" in html
        assert not Verdict.objects.exists()

        # Sending before the last item is answered is refused, naming it.
        refused = client.post(reverse("sprints:judge_send", kwargs=kwargs))
        assert refused.status_code == 400
        assert f"{other.reference} {other.title}" in refused.content.decode()

        client.post(answer, {"item": other.pk, "criterion": other.criteria.get().pk, "met": "yes"})
        sent = client.post(reverse("sprints:judge_send", kwargs=kwargs))
        assert sent.status_code == 302
        verdict = Verdict.objects.get(tester=tester, increment_item__item=item)
        assert verdict.accepted is False
        assert verdict.follow_ups.get().acceptance_criteria == [CRITERIA[1]]
        html = client.get(page).content.decode()
        assert "2 of 2 items judged" in html
        assert "judge-send-button" not in html

        # The other tester sees the item another tester rejected marked so.
        html = page_client(second_tester).get(page).content.decode()
        assert f'id="entry-{item.pk}-rejected"' in html
        assert f'id="entry-{other.pk}-rejected"' not in html

    def test_with_htmx_an_answer_comes_back_as_the_saved_mark_and_the_progress(
        self, product, tester, three_criteria
    ):
        _sprint, increment, item, _other = three_criteria
        kwargs = {"product_id": product.pk, "increment_id": increment.pk}
        criterion = item.criteria.first()
        response = page_client(tester).post(
            reverse("sprints:judge_answer", kwargs=kwargs),
            {"item": item.pk, "criterion": criterion.pk, "met": "no"},
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="answer-{item.pk}-{criterion.pk}-status"' in html
        assert 'id="judge-progress" hx-swap-oob="true"' in html
        assert DraftAnswer.objects.get(criterion=criterion).met is False

    def test_the_re_test_page_shows_what_was_not_met_last_time(
        self, product, product_owner, developer, tester, second_tester, three_criteria
    ):
        sprint, increment, item, _other = three_criteria
        verdict = services.give_verdict(
            actor=tester, increment=increment, item=item, criteria=answers(item, not_met=[1])
        )
        follow_up = verdict.follow_ups.get()
        again = retest(product, product_owner, developer, sprint, follow_up)
        html = (
            page_client(second_tester)
            .get(
                reverse(
                    "sprints:judge", kwargs={"product_id": product.pk, "increment_id": again.pk}
                )
            )
            .content.decode()
        )
        assert "Not met last time (version 0.1.0): Geen zaaknummer te zien" in html

    def test_a_screenshot_on_a_criterion_is_shown_only_to_who_may_see_the_product(
        self, settings, tmp_path, product, product_owner, tester, outsider_person, three_criteria
    ):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp_path / "media"},
            },
        }
        _sprint, increment, item, other = three_criteria
        kwargs = {"product_id": product.pk, "increment_id": increment.pk}
        client = page_client(tester)
        failing = item.criteria.first()
        client.post(
            reverse("sprints:judge_answer", kwargs=kwargs),
            {
                "item": item.pk,
                "criterion": failing.pk,
                "met": "no",
                "remarks": "Zie de schermafbeelding",
                "screenshot": SimpleUploadedFile("fout.png", PNG, content_type="image/png"),
            },
        )
        for each in (item, other):
            for criterion in each.criteria.exclude(pk=failing.pk):
                client.post(
                    reverse("sprints:judge_answer", kwargs=kwargs),
                    {"item": each.pk, "criterion": criterion.pk, "met": "yes"},
                )
        assert client.post(reverse("sprints:judge_send", kwargs=kwargs)).status_code == 302
        answer = CriterionVerdict.objects.get(criterion=failing)
        address = reverse(
            "sprints:criterion_screenshot",
            kwargs={
                "product_id": product.pk,
                "verdict_id": answer.verdict_id,
                "answer_id": answer.pk,
            },
        )
        owner_page = page_client(product_owner).get(reverse("sprints:acceptance", kwargs=kwargs))
        assert address in owner_page.content.decode()
        shot = page_client(product_owner).get(address)
        assert shot.status_code == 200 and b"".join(shot.streaming_content) == PNG
        assert page_client(outsider_person).get(address).status_code == 404


def test_the_product_owner_chooses_follow_ups_per_criterion_when_starting_the_product(
    zob, eindhoven, eindhoven_membership, product_owner
):
    response = as_(product_owner).post(
        "/api/v1/products/",
        {
            "cooperative": zob.slug,
            "owner": eindhoven.pk,
            "name": "Meldingen",
            "key": "MEL",
            "follow_up_per_criterion": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["follow_up_per_criterion"] is True
    assert Product.objects.get(key="MEL").follow_up_per_criterion is True
