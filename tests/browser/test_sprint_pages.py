"""The sprints pages in a real browser: reordering by keyboard and by mouse, live updates
between two people, acceptance by a tester, and axe on every page.

Data is made through the services. The pages are Dutch by default and the new strings are not
translated yet, so elements are found by id, role and data attributes, never by their words.
"""

import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from sprints import selectors
from sprints import services as sprints_services
from sprints.models import ItemStatus
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"
LIVE_WITHIN_MS = 1000


def at(days, hour=10):
    """Freeze the clock `days` from today (negative: in the past), to record a history."""
    day = timezone.localdate() + timedelta(days=days)
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(hour))), tick=False)


def ready(product, actor, title, estimate):
    return sprints_services.create_item(
        actor=actor,
        product=product,
        title=title,
        acceptance_criteria=["Het werkt zoals beschreven", "Foutmeldingen zijn duidelijk"],
        estimate=estimate,
    )


def backlog_order(page):
    return page.eval_on_selector_all(
        "#backlog-list li[data-item]", "items => items.map(i => Number(i.dataset.item))"
    )


def expect_order(page, ids):
    """Wait until the page's backlog shows exactly these items in this order, settled: htmx
    wires up swapped-in forms when it settles, and a key pressed before would submit natively."""
    page.wait_for_function(
        """ids => JSON.stringify([...document.querySelectorAll('#backlog-list li[data-item]')]
            .map(i => Number(i.dataset.item))) === JSON.stringify(ids)
            && !document.querySelector('.htmx-settling, .htmx-added, .htmx-request')""",
        arg=ids,
    )


# The drag events a person's drag makes, sent to the page's own handlers in order. Chromium's
# native drag starts from a pressed mouse only now and then under load (no dragstart however far
# the pointer moves afterwards: the browser's gesture recognition, not the page), which made the
# test flaky; what the page does with a drag is what is tested here.
DRAG = """([source, target, where, step]) => {
  const row = document.getElementById("item-" + source);
  const spot = document.getElementById("item-" + target);
  const box = spot.getBoundingClientRect();
  const at = {clientX: box.left + 40, clientY: where === "before" ? box.top + 4 : box.bottom - 4};
  window.__drag = window.__drag || new DataTransfer();
  const send = (el, type, extra) => el.dispatchEvent(new DragEvent(type, {
    bubbles: true, cancelable: true, dataTransfer: window.__drag, ...extra}));
  if (step === "start") { window.__drag = new DataTransfer(); send(row, "dragstart", {}); }
  if (step === "over") { send(spot, "dragenter", at); send(spot, "dragover", at); }
  if (step === "drop") { send(spot, "drop", at); send(row, "dragend", {}); }
}"""


def drag_row(page, source, target, where):
    """Drag the row of item `source` onto the upper ("before") or lower ("after") half of the
    row of item `target`: the drag starts (the row shows it is dragged), goes over the spot
    (the line shows where it lands), and drops. Each step waits for the page's own state, so
    a failure says which step did not happen."""
    row = page.locator(f"#item-{source}")
    mark = page.locator(f"#item-{target}.sprints-item--drop-{where}")
    page.evaluate(DRAG, [source, target, where, "start"])
    expect(row).to_have_class(re.compile(r"sprints-item--dragging"))
    page.evaluate(DRAG, [source, target, where, "over"])
    expect(mark).to_have_count(1)
    page.evaluate(DRAG, [source, target, where, "drop"])


def press_and_expect_order(page, key, ids):
    """Press a key on a move button and wait for the new order and for the list refresh that
    the move's own event sets off, as a person waits to see the result: a key pressed while
    that refresh is being swapped in is a race no person runs into, and flakes in CI."""
    before = page.locator("#backlog").get_attribute("data-live-refreshed")
    page.keyboard.press(key)
    expect_order(page, ids)
    page.wait_for_function(
        "before => document.getElementById('backlog').dataset.liveRefreshed !== before",
        arg=before,
    )
    expect_order(page, ids)


def open_live(page, live_url, path, root):
    page.goto(live_url + path)
    expect(page.locator(f"#{root}")).to_have_attribute("data-live-state", "open")


@pytest.fixture
def history(live_url, product, product_owner, developer, tester):
    """A closed sprint, an active one with progress and scope added, and an increment awaiting
    the tester's verdict: every page and both charts have something to show."""
    po, dev = product_owner, developer
    with at(-21):
        a, b, c = (
            ready(product, po, t, e) for t, e in (("Aanvraag", 3), ("Besluit", 5), ("Brief", 2))
        )
        first = sprints_services.plan_sprint(
            actor=po,
            product=product,
            start=timezone.localdate() + timedelta(days=1),
            goal="Eerste aanvraag",
        )
        sprints_services.commit_items(actor=po, sprint=first, items=[a, b, c])
    with at(-20):
        sprints_services.start_sprint(actor=po, sprint=first)
    with at(-17):
        sprints_services.set_item_status(actor=dev, item=a, status=ItemStatus.DONE)
    with at(-12):
        sprints_services.set_item_status(actor=dev, item=b, status=ItemStatus.DONE)
    with at(-8):
        sprints_services.set_item_status(actor=dev, item=c, status=ItemStatus.IN_PROGRESS)
    with at(-7):
        sprints_services.finish_sprint(actor=po, sprint=first)
        increment = sprints_services.create_increment(
            actor=dev, product=product, version="0.1.0", items=[a, b], sprint=first
        )
        sprints_services.submit_increment(
            actor=po, increment=increment, deadline=timezone.localdate() + timedelta(days=1)
        )
    with at(-6):
        for item in (a, b):
            sprints_services.give_verdict(
                actor=tester, increment=increment, item=item, accepted=True
            )
        sprints_services.close_sprint(actor=po, sprint=first)
        d, e = ready(product, po, "Bijlagen", 8), ready(product, po, "Status volgen", 3)
        second = sprints_services.plan_sprint(
            actor=po, product=product, start=timezone.localdate() + timedelta(days=1), goal="Volgen"
        )
        sprints_services.commit_items(actor=po, sprint=second, items=[c, d, e])
    with at(-5, hour=9):
        sprints_services.start_sprint(actor=po, sprint=second)
    with at(-4):
        sprints_services.set_item_status(actor=dev, item=d, status=ItemStatus.IN_PROGRESS)
    with at(-3):
        sprints_services.set_item_status(actor=dev, item=e, status=ItemStatus.DONE)
    with at(-2):
        f = ready(product, po, "Machtigen", 5)
        sprints_services.commit_items(actor=po, sprint=second, items=[f])
    with at(-1):
        sprints_services.set_item_status(actor=dev, item=d, status=ItemStatus.DONE)
        awaiting = sprints_services.create_increment(
            actor=dev, product=product, version="0.2.0", items=[d, e], sprint=second
        )
        sprints_services.submit_increment(
            actor=po, increment=awaiting, deadline=timezone.localdate() + timedelta(days=3)
        )
    ready(product, po, "Digitaal ondertekenen", 8)
    sprints_services.create_item(actor=po, product=product, title="Onderzoek archief", kind="spike")
    return SimpleNamespace(
        product=product,
        first=first,
        second=second,
        accepted=a,
        awaiting=awaiting,
        done=(d, e),
        unfinished=c,
    )


def test_every_sprints_page_passes_axe(page, live_url, assert_accessible, history, tester):
    product = history.product
    p = product.pk
    login(page, live_url, "eva", PASSWORD)
    for path in (
        "/products/",
        f"/products/{p}/",
        f"/products/{p}/items/{history.accepted.pk}/",
        f"/products/{p}/sprints/",
        f"/products/{p}/sprints/{history.second.number}/plan",
        f"/products/{p}/sprints/{history.second.number}/",
        f"/products/{p}/sprints/{history.first.number}/review",
        f"/products/{p}/sprints/{history.second.number}/review",
        f"/products/{p}/increments/",
        f"/products/{p}/increments/{history.awaiting.pk}/accept",
    ):
        page.goto(live_url + path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    # A form with errors is accessible too: each message is tied to its field.
    page.goto(f"{live_url}/products/{p}/")
    page.locator("#add-item").click()
    page.wait_for_load_state()
    expect(page.locator("#new-item-title")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    # The charts are images with a name, and their numbers are in a table.
    page.goto(f"{live_url}/products/{p}/sprints/{history.second.number}/review")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(2)
    for index in range(2):
        title, desc = charts.nth(index).get_attribute("aria-labelledby").split()
        expect(page.locator(f"#{title}")).to_have_count(1)
        expect(page.locator(f"#{desc}")).to_have_count(1)
    expect(page.locator("#burndown-table tbody tr")).to_have_count(14)  # a 14-day sprint
    expect(page.locator("#velocity-table tbody tr")).to_have_count(1)

    tester_page = page.context.browser.new_context(locale="nl-NL").new_page()
    login(tester_page, live_url, "tessa", PASSWORD)
    for path in ("/products/inbox/", f"/products/{p}/increments/{history.awaiting.pk}/accept"):
        tester_page.goto(live_url + path)
        assert_accessible(tester_page)
    expect(tester_page.locator("form.sprints-verdict")).to_have_count(2)
    tester_page.locator(f"#verdict-{history.done[0].pk}-submit").click()
    tester_page.wait_for_load_state()
    assert_accessible(tester_page)
    tester_page.context.close()


def test_choosing_participants_passes_axe(
    page,
    live_url,
    assert_accessible,
    eindhoven_membership,
    mgd_membership,
    woerden_application,
    coordinator,
):
    login(page, live_url, "carla", PASSWORD)
    page.goto(live_url + "/products/")
    participants = page.locator("fieldset#id_participants")
    expect(participants.locator("fieldset[data-cooperative] legend")).to_have_count(1)
    expect(participants.locator("input[type=checkbox]")).to_have_count(3)
    assert_accessible(page)
    # The pilot chosen cannot also take part: the refusal is tied to the checkboxes.
    page.locator("#id_pilot").select_option(str(eindhoven_membership.pk))
    page.locator("#id_name").fill("Inwonerscloud")
    page.locator("#id_key").fill("INW")
    page.locator(f"#id_participants input[value='{eindhoven_membership.pk}']").check()
    page.locator("#start-product").click()
    page.wait_for_load_state()
    expect(page.locator("#id_participants-error")).to_be_visible()
    expect(page.locator("#id_participants input").first).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_keyboard_only_reordering(page, live_url, product, product_owner):
    a, b, c = (ready(product, product_owner, t, 3) for t in ("Eerste", "Tweede", "Derde"))
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/products/{product.pk}/")
    assert backlog_order(page) == [a.pk, b.pk, c.pk]
    page.evaluate("window.stillTheSamePage = true")

    # From the item's link, Tab reaches its row menu; Enter opens it: to top, up, down, bottom.
    page.locator(f"#item-{a.pk}-link").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"menu-{a.pk}-button"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"move-{a.pk}-down"
    press_and_expect_order(page, "Enter", [b.pk, a.pk, c.pk])
    expect(page.locator("#backlog-announcement")).to_contain_text(a.reference)
    # The menu stays open and focus on the button pressed, so pressing again moves it further.
    assert page.evaluate("document.activeElement.id") == f"move-{a.pk}-down"
    press_and_expect_order(page, "Enter", [b.pk, c.pk, a.pk])

    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == f"move-{a.pk}-up"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == f"move-{a.pk}-top"
    press_and_expect_order(page, "Enter", [a.pk, b.pk, c.pk])
    expect(page.locator(f"#item-{a.pk} .sprints-item__place")).to_have_text("1")
    assert [i.pk for i in selectors.backlog_for(product)] == [a.pk, b.pk, c.pk]
    assert page.evaluate("window.stillTheSamePage"), "the moves reloaded the page"
    # The region that announces it is a polite live region.
    region = page.locator("#backlog-announcement")
    assert region.get_attribute("role") == "status"
    assert region.get_attribute("aria-live") == "polite"


def test_drag_and_drop_reordering(page, live_url, product, product_owner):
    a, b, c = (ready(product, product_owner, t, 3) for t in ("Eerste", "Tweede", "Derde"))
    login(page, live_url, "eva", PASSWORD)
    # Tall enough that no item needs scrolling to: a scroll in mid-drag loses the drag.
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.goto(f"{live_url}/products/{product.pk}/")
    # The socket is listening (the server joins the group before it accepts): the first
    # move's own event, awaited below, cannot be sent before the page hears it.
    expect(page.locator("#backlog")).to_have_attribute("data-live-state", "open")
    # Dropped on the upper half of the first item: before it.
    drag_row(page, c.pk, a.pk, "before")
    expect_order(page, [c.pk, a.pk, b.pk])
    # The move's own event refreshes the list once more; drag the next one after that, onto
    # the lower half of the last item: after it.
    expect(page.locator("#backlog")).to_have_attribute("data-live-refreshed", re.compile(r"\d"))
    expect_order(page, [c.pk, a.pk, b.pk])
    drag_row(page, c.pk, b.pk, "after")
    expect_order(page, [a.pk, b.pk, c.pk])
    assert [i.pk for i in selectors.backlog_for(product)] == [a.pk, b.pk, c.pk]


def test_two_people_see_each_others_changes_live(
    browser, live_url, product, product_owner, developer
):
    a, b, c = (ready(product, product_owner, t, 3) for t in ("Eerste", "Tweede", "Derde"))
    contexts = [browser.new_context(locale="nl-NL") for _ in range(2)]
    owner, dev = (context.new_page() for context in contexts)
    try:
        login(owner, live_url, "eva", PASSWORD)
        login(dev, live_url, "dani", PASSWORD)
        for page in (owner, dev):
            open_live(page, live_url, f"/products/{product.pk}/", "backlog")

        # The product owner moves an item; the developer's list follows within a second.
        owner.locator(f"#menu-{c.pk}-button").click()
        owner.locator(f"#move-{c.pk}-top").click()
        expect(owner.locator("#backlog-list li[data-item]").first).to_have_attribute(
            "data-item", str(c.pk)
        )
        expect(dev.locator("#backlog-list li[data-item]").first).to_have_attribute(
            "data-item", str(c.pk), timeout=LIVE_WITHIN_MS
        )
        expect(dev.locator("#backlog-announcement")).not_to_be_empty()

        # The developer adds an item; the product owner sees it within a second.
        dev.locator("#new-item-title").fill("Vierde")
        dev.locator("#add-item").click()
        expect(dev.locator("#added-item")).to_contain_text("Vierde")
        created = product.items.get(title="Vierde")
        expect(owner.locator(f"#item-{created.pk}")).to_be_visible(timeout=LIVE_WITHIN_MS)
        assert backlog_order(owner) == [c.pk, a.pk, b.pk, created.pk]
    finally:
        for context in contexts:
            context.close()


def test_tester_accepts_and_rejects_and_the_follow_up_tops_the_backlog(
    browser, live_url, product, product_owner, developer, tester
):
    first, second = (ready(product, product_owner, t, 3) for t in ("Aanvraag", "Besluit"))
    waiting = ready(product, product_owner, "Wacht", 2)
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=timezone.localdate()
    )
    sprints_services.commit_items(actor=product_owner, sprint=sprint, items=[first, second])
    sprints_services.start_sprint(actor=product_owner, sprint=sprint)
    for item in (first, second):
        sprints_services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)

    contexts = [browser.new_context(locale="nl-NL") for _ in range(2)]
    owner, testing = (context.new_page() for context in contexts)
    try:
        login(owner, live_url, "eva", PASSWORD)
        login(testing, live_url, "tessa", PASSWORD)
        open_live(testing, live_url, "/products/inbox/", "inbox-live")
        expect(testing.locator("#inbox tbody tr")).to_have_count(0)

        # The product owner prepares and submits the increment through the page; the tester's
        # inbox fills without a reload.
        owner.goto(f"{live_url}/products/{product.pk}/increments/")
        owner.locator("#increment-version").fill("1.0.0")
        for item in (first, second):
            owner.locator(f"#increment-items input[value='{item.pk}']").check()
        owner.locator("#create-increment").click()
        owner.wait_for_load_state()
        increment = product.increments.get(version="1.0.0")
        owner.locator(f"#submit-{increment.pk}").click()
        owner.wait_for_load_state()
        expect(testing.locator("#inbox tbody tr")).to_have_count(2)

        open_live(owner, live_url, f"/products/{product.pk}/", "backlog")
        assert backlog_order(owner)[0] == waiting.pk

        testing.locator(f"#inbox tbody tr[data-item='{first.pk}'] a").click()
        testing.wait_for_load_state()
        # The inbox leads to the checklist page; the whole-item forms are on the acceptance page.
        assert f"/increments/{increment.pk}/judge" in testing.url
        testing.goto(f"{live_url}/products/{product.pk}/increments/{increment.pk}/accept")
        testing.locator(f"#verdict-{first.pk}-decision_0").check()
        testing.locator(f"#verdict-{first.pk}-submit").click()
        testing.wait_for_load_state()
        expect(testing.locator(f"#entry-{first.pk}")).to_have_attribute("data-outcome", "accepted")

        # A rejection without remarks is explained and nothing is recorded...
        testing.locator(f"#verdict-{second.pk}-decision_1").check()
        testing.locator(f"#verdict-{second.pk}-submit").click()
        testing.wait_for_load_state()
        remarks = testing.locator(f"#verdict-{second.pk}-remarks")
        expect(remarks).to_have_attribute("aria-invalid", "true")
        expect(testing.locator(f"#verdict-{second.pk}-remarks-error")).to_be_visible()
        # ...with remarks it is, and the follow-up appears at the top of the owner's backlog.
        testing.locator(f"#verdict-{second.pk}-decision_1").check()
        remarks.fill("De knop 'Versturen' doet niets")
        testing.locator(f"#verdict-{second.pk}-submit").click()
        testing.wait_for_load_state()
        expect(testing.locator(f"#entry-{second.pk}")).to_have_attribute("data-outcome", "rejected")
        expect(testing.locator(f"form#verdict-{second.pk}-form")).to_have_count(0)

        follow_up = product.items.get(follow_up_of__isnull=False)
        expect(owner.locator("#backlog-list li[data-item]").first).to_have_attribute(
            "data-item", str(follow_up.pk)
        )
        owner.reload()
        assert backlog_order(owner)[:2] == [follow_up.pk, waiting.pk]
        # The product owner never sees a verdict form, even on the acceptance page.
        owner.goto(f"{live_url}/products/{product.pk}/increments/{increment.pk}/accept")
        expect(owner.locator("form.sprints-verdict")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()


def test_two_testers_see_each_others_verdicts_live(
    browser, live_url, assert_accessible, product, product_owner, developer, tester, second_tester
):
    first, second = (ready(product, product_owner, t, 3) for t in ("Aanvraag", "Besluit"))
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=timezone.localdate()
    )
    sprints_services.commit_items(actor=product_owner, sprint=sprint, items=[first, second])
    sprints_services.start_sprint(actor=product_owner, sprint=sprint)
    for item in (first, second):
        sprints_services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="1.0.0", items=[first, second]
    )
    sprints_services.submit_increment(
        actor=product_owner, increment=increment, deadline=timezone.localdate() + timedelta(days=3)
    )
    contexts = [browser.new_context(locale="nl-NL") for _ in range(2)]
    tessa, timo = (context.new_page() for context in contexts)
    try:
        login(tessa, live_url, "tessa", PASSWORD)
        login(timo, live_url, "timo", PASSWORD)
        path = f"/products/{product.pk}/increments/{increment.pk}/accept"
        for page in (tessa, timo):
            open_live(page, live_url, path, "acceptance-live")
        # Timo is halfway through rejecting the second item when Tessa's verdicts come in.
        timo.locator(f"#verdict-{second.pk}-decision_1").check()
        timo.locator(f"#verdict-{second.pk}-remarks").fill("Het besluit mist de datum")

        tessa.locator(f"#verdict-{first.pk}-decision_0").check()
        tessa.locator(f"#verdict-{first.pk}-submit").click()
        tessa.wait_for_load_state()
        expect(timo.locator(f"#entry-{first.pk}-verdicts li")).to_have_count(
            1, timeout=LIVE_WITHIN_MS
        )
        expect(timo.locator("#acceptance-announcement")).not_to_be_empty()
        # What Timo typed is still there, and his form for the first item too.
        expect(timo.locator(f"#verdict-{second.pk}-remarks")).to_have_value(
            "Het besluit mist de datum"
        )
        expect(timo.locator(f"#verdict-{second.pk}-decision_1")).to_be_checked()
        expect(timo.locator(f"form#verdict-{first.pk}-form")).to_have_count(1)
        assert_accessible(timo)

        # Timo's rejection reaches Tessa within a second: the outcome and the verdict.
        timo.locator(f"#verdict-{second.pk}-submit").click()
        timo.wait_for_load_state()
        expect(tessa.locator(f"#entry-{second.pk}")).to_have_attribute(
            "data-outcome", "rejected", timeout=LIVE_WITHIN_MS
        )
        expect(tessa.locator(f"#entry-{second.pk}-verdicts li")).to_have_count(1)
        # Tessa's own form for the second item stays: her verdict is still asked for.
        expect(tessa.locator(f"form#verdict-{second.pk}-form")).to_have_count(1)
        assert_accessible(tessa)

        # Timo accepts the first item: with the second rejected, that decides the increment.
        # Tessa's page shows it is rejected and no longer asks for her verdict.
        timo.locator(f"#verdict-{first.pk}-decision_0").check()
        timo.locator(f"#verdict-{first.pk}-submit").click()
        timo.wait_for_load_state()
        increment.refresh_from_db()
        assert increment.state == "rejected"
        expect(tessa.locator("#increment-state")).to_have_attribute(
            "data-state", "rejected", timeout=LIVE_WITHIN_MS
        )
        expect(tessa.locator("form.sprints-verdict")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()


def test_board_moves_by_keyboard_and_live(browser, live_url, product, product_owner, developer):
    a, b = (ready(product, product_owner, t, 3) for t in ("Eerste", "Tweede"))
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=timezone.localdate()
    )
    sprints_services.commit_items(actor=product_owner, sprint=sprint, items=[a, b])
    sprints_services.start_sprint(actor=product_owner, sprint=sprint)
    contexts = [browser.new_context(locale="nl-NL") for _ in range(2)]
    owner, dev = (context.new_page() for context in contexts)
    try:
        login(owner, live_url, "eva", PASSWORD)
        login(dev, live_url, "dani", PASSWORD)
        path = f"/products/{product.pk}/sprints/{sprint.number}/"
        for page in (owner, dev):
            open_live(page, live_url, path, "board-live")
        # The moves sit in the card's menu "Verplaats naar …": open it by keyboard first.
        dev.locator(f"#card-{a.pk} details.sprints-card__menu summary").first.focus()
        dev.keyboard.press("Enter")
        dev.locator(f"#card-{a.pk}-to-in_progress").focus()
        dev.keyboard.press("Enter")
        card = f"#column-in_progress ~ ul #card-{a.pk}"
        expect(dev.locator(card)).to_be_visible()
        # The card moved, so focus goes to it rather than getting lost.
        expect(dev.locator(f"#card-{a.pk}")).to_be_focused()
        expect(dev.locator("#board-announcement")).to_contain_text(a.reference)
        expect(owner.locator(card)).to_be_visible(timeout=LIVE_WITHIN_MS)
    finally:
        for context in contexts:
            context.close()


def test_a_tester_works_through_an_increment_on_one_page_and_comes_back_to_it(
    browser, live_url, assert_accessible, product, product_owner, developer, tester
):
    """Three items, two criteria each: the tester answers the first item, closes the browser,
    comes back to the answers as given, finishes, and sends; the product owner's acceptance
    page shows the verdicts as they are sent."""
    items = [ready(product, product_owner, t, 3) for t in ("Aanvraag", "Besluit", "Bezwaar")]
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=timezone.localdate()
    )
    sprints_services.commit_items(actor=product_owner, sprint=sprint, items=items)
    sprints_services.start_sprint(actor=product_owner, sprint=sprint)
    for item in items:
        sprints_services.set_item_status(actor=developer, item=item, status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=developer, product=product, version="1.0.0", items=items
    )
    sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timedelta(days=3),
        testers=[tester],
    )
    judge = f"{live_url}/products/{product.pk}/increments/{increment.pk}/judge"
    criteria = {item.pk: list(item.criteria.values_list("pk", flat=True)) for item in items}

    def answer(page, item, criterion, met, remarks=""):
        prefix = f"#answer-{item.pk}-{criterion}"
        page.locator(f"{prefix}-{'met' if met else 'not-met'}").check()
        expect(page.locator(f"{prefix}-status")).not_to_be_empty()
        if remarks:
            page.locator(f"{prefix}-remarks").fill(remarks)
            page.locator(f"{prefix}-remarks").blur()

    def settled(page):
        page.wait_for_function("!document.querySelector('.htmx-request')")

    owner_context = browser.new_context(locale="nl-NL")
    owner = owner_context.new_page()
    first_visit = browser.new_context(locale="nl-NL")
    try:
        login(owner, live_url, "eva", PASSWORD)
        open_live(
            owner,
            live_url,
            f"/products/{product.pk}/increments/{increment.pk}/accept",
            "acceptance-live",
        )
        page = first_visit.new_page()
        login(page, live_url, "tessa", PASSWORD)
        page.goto(judge)
        expect(page.locator("#judge-progress")).to_have_text(re.compile(r"^\s*0\D+3"))
        for criterion in criteria[items[0].pk]:
            answer(page, items[0], criterion, met=True)
        settled(page)
        expect(page.locator("#judge-progress")).to_have_text(re.compile(r"^\s*1\D+3"))
        assert "git" not in page.locator("main").inner_text().lower()
        assert_accessible(page)
        first_visit.close()  # half way: the browser is closed

        second_visit = browser.new_context(locale="nl-NL")
        page = second_visit.new_page()
        login(page, live_url, "tessa", PASSWORD)
        page.goto(judge)
        expect(page.locator("#judge-progress")).to_have_text(re.compile(r"^\s*1\D+3"))
        for criterion in criteria[items[0].pk]:
            expect(page.locator(f"#answer-{items[0].pk}-{criterion}-met")).to_be_checked()
        first, second = criteria[items[1].pk]
        answer(page, items[1], first, met=True)
        answer(page, items[1], second, met=False, remarks="De foutmelding is in het Engels")
        for criterion in criteria[items[2].pk]:
            answer(page, items[2], criterion, met=True)
        settled(page)
        expect(page.locator("#judge-progress")).to_have_text(re.compile(r"^\s*3\D+3"))
        assert_accessible(page)
        page.locator("#judge-send-button").click()
        page.wait_for_load_state()
        expect(page.locator("#judge-thanks")).to_be_visible()

        # The product owner's page shows the verdicts and the decision without a reload.
        for item in items:
            expect(owner.locator(f"#entry-{item.pk}-verdicts > li")).to_have_count(
                1, timeout=LIVE_WITHIN_MS
            )
        expect(owner.locator("#increment-state")).to_have_attribute(
            "data-state", "rejected", timeout=LIVE_WITHIN_MS
        )
        expect(owner.locator(f"#entry-{items[1].pk}-verdicts li li")).to_have_count(2)
        assert_accessible(owner)
        second_visit.close()
    finally:
        owner_context.close()
