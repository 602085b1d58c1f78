"""Notifications by e-mail (notifications/mail.py): at once or in the daily digest, in the
recipient's language, with a link and a one-click unsubscribe for that person and kind; the
scheduled reminders and digests are idempotent."""

from datetime import timedelta

import pytest
from django.core import mail as outbox
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from deelbaar.celery import app as celery_app
from deelbaar.models import OutgoingMail
from notifications import mail, reminders
from notifications.models import Channel, Kind, Mailing, Notification, Preference, Recipient
from notifications.services import notify
from notifications.texts import render
from sprints import services
from sprints.models import TeamRole
from tests.notifications.test_recipients import delivered, submitted  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEELBAAR_BASE_URL = "https://deelbaar.test"


@pytest.fixture
def in_process():
    """Jobs run at once in this process on both passes (tests/production sends through a real
    worker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def addressed(django_user_model):
    """Everyone made so far gets an address (`username@example.test`); call it after making
    the people a test needs."""

    def give():
        for user in django_user_model.objects.filter(email=""):
            user.email = f"{user.username}@example.test"
            user.save(update_fields=["email"])

    return give


def make_digests(after_commit):
    def run(**kwargs):
        with after_commit():
            return mail.send_digests(**kwargs)

    return run


@pytest.fixture
def digests(after_commit):
    """`mail.send_digests()`, its mails sent after its commit."""
    return make_digests(after_commit)


def mails_to(username):
    return [m for m in outbox.outbox if m.to == [f"{username}@example.test"]]


def html_of(message):
    return next(content for content, kind in message.alternatives if kind == "text/html")


def test_an_increment_awaiting_a_verdict_mails_each_tester_in_their_language(
    delivered,  # noqa: F811
    product_owner,
    tester,
    second_tester,
    addressed,
    after_commit,
    in_process,
):
    addressed()
    Recipient.objects.create(person=tester, language="en")  # timo keeps the site's: Dutch
    increment, _items = delivered
    with after_commit():
        services.submit_increment(
            actor=product_owner,
            increment=increment,
            deadline=timezone.localdate() + timedelta(days=3),
            testers=[tester, second_tester],
        )
    assert mails_to(product_owner.username) == []  # the actor is never mailed
    [english] = mails_to("tessa")
    [dutch] = mails_to("timo")
    for message, person, language in ((english, tester, "en"), (dutch, second_tester, "nl")):
        notification = Notification.objects.get(recipient=person, kind=Kind.VERDICT_REQUESTED)
        with translation.override(language):
            expected = render(notification)
        assert expected in message.body and expected in message.subject
        assert f'lang="{language}"' in html_of(message)
        link = f"https://deelbaar.test{notification.url}"
        assert link in message.body and f'href="{link}"' in html_of(message)
        unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert unsubscribe.startswith("https://deelbaar.test/notifications/unsubscribe/")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe in message.body and unsubscribe in html_of(message)
        assert Mailing.objects.filter(notification=notification).exists()
    assert "Hello Tessa" in english.body
    assert english.body != dutch.body


def test_a_kind_set_to_digest_or_off_is_not_mailed_at_once(
    delivered,  # noqa: F811
    product_owner,
    tester,
    second_tester,
    addressed,
    after_commit,
    in_process,
):
    addressed()
    digests = make_digests(after_commit)
    mail.set_channel(person=tester, kind=Kind.VERDICT_REQUESTED, channel=Channel.OFF)
    mail.set_channel(person=second_tester, kind=Kind.VERDICT_REQUESTED, channel=Channel.DIGEST)
    increment, _items = delivered
    with after_commit():
        services.submit_increment(
            actor=product_owner,
            increment=increment,
            deadline=timezone.localdate() + timedelta(days=3),
            testers=[tester, second_tester],
        )
    assert outbox.outbox == []
    assert digests() == 1  # timo's digest; tessa has the kind off
    assert [m.to for m in outbox.outbox] == [["timo@example.test"]]


def test_a_day_of_events_is_one_digest_per_person_and_twice_is_once(
    zob, product, product_owner, tester, second_tester, developer, addressed, in_process, digests
):
    addressed()
    for number in (1, 2, 3):
        notify(
            kind=Kind.SPRINT_STARTED,
            recipient_ids=[tester.pk, second_tester.pk, developer.pk],
            cooperative_id=zob.pk,
            subject=product,
            actor_id=product_owner.pk,
            params={"number": number, "product": product.name},
            url="/p/",
        )
    Recipient.objects.create(person=developer, language="en")
    Notification.objects.filter(recipient=second_tester).update(read_at=timezone.now())
    assert outbox.outbox == []  # the digest kinds are not mailed at once
    assert digests() == 2  # tessa and dani; timo read his in the app
    assert digests() == 0
    assert sorted(m.to[0] for m in outbox.outbox) == ["dani@example.test", "tessa@example.test"]
    [dani] = mails_to("dani")
    assert dani.body.count("https://deelbaar.test/p/") == 3
    assert "3 new notifications today" in dani.subject
    assert dani.extra_headers["List-Unsubscribe"].startswith("<https://deelbaar.test/")
    # What comes later the same day waits for tomorrow's digest; then it goes, once.
    notify(
        kind=Kind.SPRINT_CLOSED,
        recipient_ids=[tester.pk],
        cooperative_id=zob.pk,
        subject=product,
        params={"number": 1, "product": product.name},
    )
    assert digests() == 0
    tomorrow = timezone.now() + timedelta(days=1)
    assert digests(now=tomorrow) == 1
    assert digests(now=tomorrow) == 0
    assert len(mails_to("tessa")) == 2
    assert OutgoingMail.objects.count() == 3


def test_deadline_reminders_are_made_and_mailed_once(
    submitted,  # noqa: F811
    product_owner,
    tester,
    second_tester,
    addressed,
    after_commit,
    in_process,
):
    addressed()
    outbox.outbox.clear()
    with after_commit():
        first = reminders.send_reminders()
    with after_commit():
        second = reminders.send_reminders()
    assert first == 3 and second == 0  # both testers and the product owner, once
    assert sorted(m.to[0] for m in outbox.outbox) == sorted(
        f"{u.username}@example.test" for u in (product_owner, tester, second_tester)
    )
    # The day after the deadline: passed, once.
    outbox.outbox.clear()
    later = timezone.localdate() + timedelta(days=2)
    with after_commit():
        assert reminders.send_reminders(today=later) == 3
    with after_commit():
        assert reminders.send_reminders(today=later) == 0
    assert len(outbox.outbox) == 3


def test_the_unsubscribe_link_works_without_signing_in_only_for_that_person_and_kind(
    tester, second_tester
):
    token = mail.unsubscribe_token(tester.pk, Kind.VERDICT_REQUESTED)
    url = reverse("notification_mail:unsubscribe", args=[token])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert not Preference.objects.exists()  # opening the link (a mail scanner) changes nothing
    assert client.post(url).status_code == 200
    assert list(Preference.objects.values_list("person_id", "kind", "channel")) == [
        (tester.pk, Kind.VERDICT_REQUESTED, Channel.OFF)
    ]
    assert mail.channels_for([second_tester.pk])[second_tester.pk][Kind.VERDICT_REQUESTED] == (
        Channel.IMMEDIATE
    )
    # A token changed by hand (to another person or kind) is refused.
    other = mail.unsubscribe_token(second_tester.pk, Kind.VERDICT_REQUESTED)
    forged = other.split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        bad_url = reverse("notification_mail:unsubscribe", args=[bad])
        assert client.post(bad_url).status_code == 404
    assert Preference.objects.count() == 1


def test_the_digest_link_switches_off_every_digest_kind_of_that_person(tester):
    token = mail.unsubscribe_token(tester.pk, mail.DIGEST)
    Client().post(reverse("notification_mail:unsubscribe", args=[token]))
    channels = mail.channels_for([tester.pk])[tester.pk]
    assert channels[Kind.VERDICT_REQUESTED] == Channel.IMMEDIATE
    assert channels[Kind.SPRINT_STARTED] == Channel.OFF
    assert Channel.DIGEST not in channels.values()


def test_preferences_page_and_api(tester, api_client):
    client = Client()
    page = reverse("notification_mail:preferences")
    assert client.get(page).status_code == 302  # sign in first
    assert api_client.get("/api/v1/me/notification-preferences/").status_code in (401, 403)
    client.force_login(tester)
    assert client.get(page).status_code == 200
    form = {kind: mail.channels_for([tester.pk])[tester.pk][kind] for kind in Kind.values}
    form.update({"language": "en", Kind.SPRINT_STARTED: Channel.IMMEDIATE})
    assert client.post(page, form).status_code == 302
    assert mail.language_for(tester) == "en"
    assert Preference.objects.get(person=tester).kind == Kind.SPRINT_STARTED
    api_client.force_authenticate(tester)
    answer = api_client.get("/api/v1/me/notification-preferences/").json()
    assert answer["language"] == "en"
    by_kind = {p["kind"]: p for p in answer["preferences"]}
    assert by_kind["sprint_started"]["channel"] == "immediate"
    assert by_kind["sprint_started"]["default"] == "digest"
    assert by_kind["verdict_requested"]["default"] == "immediate"
    changed = api_client.patch(
        "/api/v1/me/notification-preferences/",
        {"language": "nl", "preferences": [{"kind": "deadline_passed", "channel": "off"}]},
        format="json",
    )
    assert changed.status_code == 200
    assert {p["kind"]: p["channel"] for p in changed.json()["preferences"]}["deadline_passed"] == (
        "off"
    )
    assert mail.language_for(type(tester).objects.get(pk=tester.pk)) == "nl"
    bad = api_client.patch(
        "/api/v1/me/notification-preferences/",
        {"preferences": [{"kind": "nope", "channel": "off"}]},
        format="json",
    )
    assert bad.status_code == 400


def test_submitting_to_50_testers_queues_50_mails_in_constant_queries(
    product,
    product_owner,
    developer,
    person,
    eindhoven,
    addressed,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from deelbaar import tasks
    from tests.sprints.flows import ready_item

    queued_jobs = []
    # The jobs are only queued by the request (recorded here, not run): it never waits for a
    # mail server.
    monkeypatch.setattr(tasks.send_mail, "delay", lambda pk: queued_jobs.append(pk))
    sprint = services.plan_sprint(actor=product_owner, product=product, start=timezone.localdate())
    items = [ready_item(product, product_owner, f"Item {n}", 3) for n in range(4)]
    services.commit_items(actor=product_owner, sprint=sprint, items=items)
    services.start_sprint(actor=product_owner, sprint=sprint)
    for item in items:
        services.set_item_status(actor=developer, item=item, status="done")
    counts = {}
    for size, version, some_items in ((5, "0.1.0", items[:2]), (50, "0.2.0", items[2:])):
        testers = []
        for n in range(size):
            user = person(f"t{version}-{n}", eindhoven)
            services.add_team_member(
                actor=product_owner, product=product, user=user, role=TeamRole.TESTER
            )
            testers.append(user)
        addressed()
        increment = services.create_increment(
            actor=developer, product=product, version=version, items=some_items, sprint=sprint
        )
        queued_jobs.clear()
        with django_capture_on_commit_callbacks(execute=False) as after_submit:
            services.submit_increment(
                actor=product_owner,
                increment=increment,
                deadline=timezone.localdate() + timedelta(days=3),
                testers=testers,
            )
        # What follows the commit (the event: notifications and their mails) is counted; the
        # submit itself is the sprints' own concern.
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            for callback in after_submit:
                callback()
        counts[size] = len(queries)
        assert len(queued_jobs) == size
        assert Notification.objects.filter(subject_id=increment.pk).count() == size
    assert outbox.outbox == []
    assert OutgoingMail.objects.count() == 55
    assert counts[5] == counts[50], counts
