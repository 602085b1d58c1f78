"""The whole path in a real browser: a municipality's admin invites a tester, she accepts and
chooses a password, the product owner of a new product puts her on its team, an increment is
submitted and she gives the verdict. axe finds nothing on any of the people pages.

The world is made through the services (never the demo loader); elements are found by ids.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail as django_mail
from django.utils.timezone import localdate
from playwright.sync_api import expect

from cooperative import services
from cooperative.models import ContributionKind, MembershipRole, OrganisationKind
from deelbaar.celery import app as celery_app
from sprints import services as sprints_services
from sprints.models import ItemStatus
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"


@pytest.fixture
def mails(settings):
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    yield django_mail.outbox
    celery_app.conf.task_always_eager = before


@pytest.fixture
def world(django_user_model, live_url):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)

    def person(username, *organisations):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, first_name=username.title()
        )
        for organisation in organisations:
            services.affiliate(actor=admin, organisation=organisation, user=user)
        return user

    zob = services.create_cooperative(
        actor=admin,
        name="ICT Samenwerking Zuidoost-Brabant",
        slug="zuidoost-brabant",
        contribution_kind=ContributionKind.FIXED,
        contribution_amount="1000",
    )
    coordinator = person("carla")
    services.appoint_coordinator(actor=admin, cooperative=zob, user=coordinator)
    eindhoven = services.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name="Eindhoven",
        cbs_code="GM0772",
        inhabitants=243_730,
    )
    boxtel = services.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name="Boxtel",
        cbs_code="GM0757",
        inhabitants=31_500,
    )
    supplier = services.register_organisation(
        actor=admin, kind=OrganisationKind.SUPPLIER, name="Gemboxx"
    )
    eva, bram = person("eva", eindhoven), person("bram", boxtel)
    for organisation, applicant in ((eindhoven, eva), (boxtel, bram)):
        membership = services.apply_for_membership(
            actor=applicant,
            cooperative=zob,
            organisation=organisation,
            role=MembershipRole.PILOT,
        )
        membership = services.approve_membership(actor=coordinator, membership=membership)
        services.record_payment(
            actor=coordinator,
            membership=membership,
            paid_on=localdate(),
            amount=membership.contribution_due,
        )
    dani = person("dani", supplier)
    return {
        "zob": zob,
        "eindhoven": eindhoven,
        "boxtel": boxtel,
        "eva": eva,
        "bram": bram,
        "dani": dani,
    }


def test_invite_accept_team_and_verdict_in_the_browser(
    browser, live_url, world, mails, assert_accessible
):
    boxtel = world["boxtel"]
    contexts = [browser.new_context(locale="nl-NL") for _ in range(3)]
    admin_page, newcomer, owner = (context.new_page() for context in contexts)
    try:
        # Boxtel's admin (Bram applied for it) invites a tester.
        login(admin_page, live_url, "bram", PASSWORD)
        admin_page.goto(f"{live_url}/organisations/{boxtel.pk}/people/")
        assert_accessible(admin_page)
        admin_page.fill("#id_email", "tessa@boxtel.test")
        admin_page.locator("#invite-form input[name=role][value=staff]").check()
        admin_page.click("#invite-button")
        admin_page.wait_for_load_state()
        expect(admin_page.locator("#invitations tr[data-status=pending]")).to_have_count(1)
        assert_accessible(admin_page)
        [message] = mails
        link = next(word for word in message.body.split() if "/invitations/accept/" in word)
        path = link[link.index("/invitations/accept/") :]

        # She opens the link, chooses a password (a weak one first) and is signed in.
        newcomer.goto(f"{live_url}{path}")
        assert_accessible(newcomer)
        newcomer.fill("#id_first_name", "Tessa")
        newcomer.fill("#id_last_name", "Bakker")
        newcomer.fill("#id_password", "password")
        newcomer.fill("#id_password_again", "password")
        newcomer.click("#accept-button")
        newcomer.wait_for_load_state()
        expect(newcomer.locator("#error-summary")).to_be_visible()
        assert_accessible(newcomer)
        newcomer.fill("#id_password", "Zonnebloem-1987")
        newcomer.fill("#id_password_again", "Zonnebloem-1987")
        newcomer.click("#accept-button")
        newcomer.wait_for_load_state()
        assert "/invitations/accept/" not in newcomer.url
        # The link is used up: a clear page says so.
        newcomer.goto(f"{live_url}{path}")
        expect(newcomer.locator("#invitation-unusable")).to_have_attribute("data-reason", "used")
        assert_accessible(newcomer)

        # Eindhoven's product owner starts a new product with Boxtel taking part, and puts
        # Tessa on its team from the team page.
        eva = world["eva"]
        product = sprints_services.create_product(
            actor=eva,
            cooperative=world["zob"],
            owner=world["eindhoven"],
            participants=[boxtel],
            name="Bezwaar en beroep",
            key="BEZ",
        )
        sprints_services.add_team_member(
            actor=eva, product=product, user=world["dani"], role="developer"
        )
        login(owner, live_url, "eva", PASSWORD)
        owner.goto(f"{live_url}/products/{product.pk}/team/")
        tessa = get_user_model().objects.get(email="tessa@boxtel.test")
        owner.select_option("#add-user", str(tessa.pk))
        owner.locator("#add-member input[name=role][value=tester]").check()
        owner.click("#add-member-button")
        owner.wait_for_load_state()
        assert product.members.filter(user=tessa, role="tester").exists()
        # The invitation page for someone without an account, linked from the team page.
        owner.goto(f"{live_url}/products/{product.pk}/invite/")
        assert_accessible(owner)

        # A sprint's work is delivered and submitted; Tessa gives the verdict.
        item = sprints_services.create_item(
            actor=eva,
            product=product,
            title="Bezwaar indienen",
            acceptance_criteria=["Een bezwaar krijgt een zaaknummer"],
            estimate=5,
        )
        sprint = sprints_services.plan_sprint(actor=eva, product=product, start=localdate())
        sprints_services.commit_items(actor=eva, sprint=sprint, items=[item])
        sprints_services.start_sprint(actor=eva, sprint=sprint)
        sprints_services.set_item_status(actor=world["dani"], item=item, status=ItemStatus.DONE)
        increment = sprints_services.create_increment(
            actor=world["dani"], product=product, version="0.1.0", items=[item], sprint=sprint
        )
        sprints_services.submit_increment(
            actor=eva, increment=increment, deadline=localdate() + timedelta(days=3)
        )
        newcomer.goto(f"{live_url}/products/{product.pk}/increments/{increment.pk}/accept")
        newcomer.locator(f"#verdict-{item.pk}-decision_0").check()
        newcomer.locator(f"#verdict-{item.pk}-submit").click()
        newcomer.wait_for_load_state()
        expect(newcomer.locator(f"#entry-{item.pk}")).to_have_attribute("data-outcome", "accepted")
        increment.refresh_from_db()
        assert increment.state == "accepted"
    finally:
        for context in contexts:
            context.close()


def test_password_reset_pages_are_accessible(page, live_url, world, mails, assert_accessible):
    eva = world["eva"]
    eva.email = "eva@eindhoven.test"
    eva.save()
    page.goto(f"{live_url}/accounts/login/")
    page.click("#forgot-password")
    page.wait_for_load_state()
    assert_accessible(page)
    page.fill("#id_email", "eva@eindhoven.test")
    page.click("#password-reset-button")
    page.wait_for_load_state()
    expect(page.locator("#password-reset-sent")).to_be_visible()
    assert_accessible(page)
    [message] = mails
    link = next(word for word in message.body.split() if "/accounts/reset/" in word)
    page.goto(live_url + link[link.index("/accounts/reset/") :])
    assert_accessible(page)
    page.fill("#id_new_password1", "Zonnebloem-1987")
    page.fill("#id_new_password2", "Zonnebloem-1987")
    page.click("#set-password-button")
    page.wait_for_load_state()
    expect(page.locator("#password-changed")).to_be_visible()
    assert_accessible(page)
    eva.refresh_from_db()
    assert eva.check_password("Zonnebloem-1987")
