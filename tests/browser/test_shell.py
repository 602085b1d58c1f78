"""The page shell in a real browser: languages, keyboard use, accessibility."""

import re

from tests.browser.conftest import login


def test_home_renders_in_dutch_by_default(page, live_url):
    page.goto(live_url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Eenmaal bouwen, met elk lid delen"
    assert page.get_by_role("navigation", name="Hoofdnavigatie").is_visible()


def test_language_switch_shows_english_and_back(page, live_url):
    page.goto(live_url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Build once, share with every member"
    # The choice sticks for the next page.
    page.goto(live_url + "/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Inloggen"


def test_keyboard_reaches_skip_link_then_main_navigation(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "utrecht-skip-link" in focused
    assert page.locator(".utrecht-skip-link").is_visible(), "the skip link shows when focused"

    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#main-navigation')"):
            break
    else:
        raise AssertionError("ten Tab presses never reached the main navigation")
    assert page.evaluate("document.activeElement.tagName") == "A"


def test_skip_link_moves_focus_to_main(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_login_and_logout(page, live_url, make_user):
    make_user("anouk", first_name="Anouk", last_name="Jansen")
    login(page, live_url, "anouk", "a-Good-passw0rd")
    assert page.get_by_text("Ingelogd als Anouk Jansen").is_visible()
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Inloggen").is_visible()


def test_wrong_password_is_explained(page, live_url, make_user):
    make_user("anouk")
    login(page, live_url, "anouk", "wrong")
    assert re.search("gebruikersnaam en wachtwoord", page.locator("#login-errors").inner_text())


def test_pages_have_no_axe_violations(page, live_url, assert_accessible, make_user):
    for path in ("/", "/accounts/login/"):
        page.goto(live_url + path)
        assert_accessible(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert_accessible(page)
    make_user("anouk")
    login(page, live_url, "anouk", "a-Good-passw0rd")
    assert_accessible(page)


def test_the_accessibility_check_can_fail(page, assert_accessible):
    """The harness itself: a page with an unlabelled field and image must not pass."""
    page.set_content('<html lang="nl"><body><main><img src="x.png"><input></main></body></html>')
    try:
        assert_accessible(page)
    except AssertionError as error:
        assert "image-alt" in str(error)
        assert "label" in str(error)
    else:
        raise AssertionError("axe reported no violations on a page that has them")
