"""The sprints demo loader: idempotent, and enough history for every chart and the inbox."""

import itertools
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cooperative import demo as cooperative_demo
from cooperative.models import AuditRecord
from deelbaar import demo as project_demo
from sprints import demo, selectors
from sprints.models import (
    BacklogItem,
    Increment,
    IncrementState,
    ItemChange,
    ItemStatus,
    Product,
    Sprint,
    SprintState,
    TeamMember,
    Verdict,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zuidoost_brabant():
    """The demo loaders that run before this one: the project's and the cooperative's."""
    project_demo.load()
    cooperative_demo.load()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Product,
            BacklogItem,
            Sprint,
            Increment,
            Verdict,
            ItemChange,
            TeamMember,
            get_user_model(),
        )
    }


def test_loading_twice_duplicates_nothing(zuidoost_brabant):
    logins = demo.load()
    after_first = counts()
    assert demo.load() == logins
    assert counts() == after_first
    assert set(Product.objects.values_list("key", flat=True)) >= {"SUB", "INW", "GBA", "BEB"}


def test_the_history_fills_every_chart_and_the_inbox(zuidoost_brabant, client):
    logins = {login.username: login for login in demo.load()}
    assert set(logins) == {"producteigenaar", "ontwikkelaar", "tester"}
    for login in logins.values():
        assert client.login(username=login.username, password=login.password)

    product = Product.objects.get(key="SUB", cooperative__slug="zuidoost-brabant")
    states = list(product.sprints.order_by("number").values_list("state", flat=True))
    assert states == [SprintState.CLOSED] * 3 + [SprintState.REVIEW]

    velocity = selectors.velocity(product)
    assert [row["sprint"] for row in velocity] == [1, 2, 3]
    assert all(row["points"] > 0 for row in velocity)
    sprint3 = product.sprints.get(number=3)
    assert ItemChange.objects.filter(sprint=sprint3, field="not_done").exists()  # left work
    # Sprint 2's rejected item, accepted on re-test during sprint 3, counts toward sprint 3.
    retest = ItemChange.objects.get(
        item__title="Overzicht van mijn aanvragen", field="status", new=ItemStatus.ACCEPTED
    )
    assert retest.sprint == sprint3 and retest.item.sprint.number == 2

    for sprint in product.sprints.all():
        rows = selectors.burndown(sprint)
        assert len(rows) == product.sprint_length_days
        assert rows[0]["remaining"] > 0 and rows[0]["ideal"] > 0
        assert all(row["remaining"] is not None for row in rows)  # all in the past
        assert rows[-1]["remaining"] < rows[0]["remaining"]
    sprint4 = product.sprints.get(number=4)
    assert any(row["added"] for row in selectors.burndown(sprint4))

    tester = get_user_model().objects.get(username="tester")
    inbox = list(selectors.inbox_for(tester))
    assert inbox and all(entry.increment.state == IncrementState.SUBMITTED for entry in inbox)
    assert all(entry.increment.deadline >= sprint4.end for entry in inbox)

    # The rejected item's follow-up leads the backlog; the earlier rejection was re-tested.
    top = selectors.backlog_for(product).first()
    assert top.follow_up_of is not None
    assert top.follow_up_of.increment_item.increment.version == "0.4.0"
    retested = product.items.get(title="Overzicht van mijn aanvragen")
    history = [
        (v.increment_item.increment.version, v.accepted)
        for v in selectors.verdict_history(retested)
    ]
    assert ("0.2.0", False) in history and ("0.3.0", True) in history

    # Every verdict and sprint transition is in the audit trail.
    assert (
        AuditRecord.objects.filter(action__startswith="verdict.").count() == Verdict.objects.count()
    )
    assert AuditRecord.objects.filter(action="sprint.closed").count() >= 3


def test_the_history_is_in_order(zuidoost_brabant):
    demo.load()
    product = Product.objects.get(key="SUB")
    sprints = list(product.sprints.order_by("number"))
    for earlier, later in itertools.pairwise(sprints):
        assert earlier.started_at < later.started_at
        if earlier.closed_at:
            assert earlier.started_at < earlier.closed_at
    for sprint in sprints:
        changes = ItemChange.objects.filter(sprint=sprint)
        # Committed before or during the sprint, never after it ended.
        last_day = max(
            change.at.date() for change in changes.filter(field="sprint", old__isnull=True)
        )
        assert last_day <= sprint.end


def test_without_the_cooperative_it_says_what_is_missing():
    with pytest.raises(LookupError, match="cooperative demo"):
        demo.load()


def test_the_demo_command_runs_it_after_the_cooperative(settings):
    settings.DEELBAAR_DEMO_LOADERS = [*settings.DEELBAAR_DEMO_LOADERS, "sprints.demo.load"]
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    after_first = counts()
    call_command("demo", no_serve=True, stdout=StringIO())
    assert counts() == after_first
    for login in (demo.PRODUCT_OWNER, demo.DEVELOPER, demo.TESTER):
        assert f"{login.username} / {login.password}" in out.getvalue()
