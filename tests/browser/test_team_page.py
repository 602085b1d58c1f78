"""The team page in a real browser: a product owner puts a tester from another participating
municipality on a new product's team, makes them developer and hands over; axe finds nothing
(issue 12)."""

from playwright.sync_api import expect

from sprints import services as sprints_services
from sprints.models import TeamMember, TeamRole
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"


def test_a_product_owner_builds_the_team_on_the_page(
    page, live_url, assert_accessible, product, product_owner, woerden, woerden_application, person
):
    sprints_services.update_product(
        actor=product_owner, product=product, version=product.version, participants=[woerden]
    )
    wendy = person("wendy", woerden)
    login(page, live_url, product_owner.username, PASSWORD)
    page.goto(f"{live_url}/products/{product.pk}/team/")
    assert_accessible(page)
    page.select_option("#add-user", str(wendy.pk))
    page.check("#add-role_0")  # tester, the first choice
    page.click("#add-member-button")
    page.wait_for_load_state()
    member = TeamMember.objects.get(product=product, user=wendy)
    assert member.role == TeamRole.TESTER
    expect(page.locator(f"#member-{member.pk}")).to_be_visible()
    assert_accessible(page)
    page.click(f"#make-developer-{member.pk}")
    page.wait_for_load_state()
    member.refresh_from_db()
    assert member.role == TeamRole.DEVELOPER
    page.goto(f"{live_url}/products/{product.pk}/edit/")
    assert_accessible(page)
    page.fill("#id_name", "Subsidies 2")
    page.click("#save-product")
    page.wait_for_load_state()
    product.refresh_from_db()
    assert product.name == "Subsidies 2"
