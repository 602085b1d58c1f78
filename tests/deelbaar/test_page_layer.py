"""The page layer (deelbaar.pages): one form mixin, one 403 for NotAllowed, one date format."""

import datetime
import zoneinfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from deelbaar import pages
from deelbaar.errors import Conflict, DomainError, NotAllowed
from deelbaar.templatetags.deelbaar_dates import iso, long_date, long_datetime


class NameForm(pages.ServiceErrorsMixin, forms.Form):
    service_fields = {"title": "name"}
    name = forms.CharField()
    code = forms.CharField(required=False)


def test_the_form_mixin_shows_every_problem_of_a_domain_error():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    form.add_service_error(
        DomainError(
            "two problems",
            problems=[
                ("title", "blank", "Say what it is."),
                ("code", "bad", "Not a code."),
                ("elsewhere.0", "x", "Somewhere else."),
            ],
        )
    )
    assert form.errors["name"] == ["Say what it is."]
    assert form.errors["code"] == ["Not a code."]
    assert form.non_field_errors() == ["Somewhere else."]


def test_the_form_mixin_shows_a_single_error_and_validation_errors():
    form = NameForm({"name": "x"})
    form.is_valid()
    form.add_service_error(Conflict("Someone decided first.", field="name"))
    form.add_service_error(ValidationError({"code": ["Too long."]}))
    assert form.errors["name"] == ["Someone decided first."]
    assert form.errors["code"] == ["Too long."]


def test_not_allowed_is_not_shown_on_the_form_but_raised_for_the_403_page():
    form = NameForm({"name": "x"})
    form.is_valid()
    with pytest.raises(NotAllowed):
        form.add_service_error(NotAllowed())
    assert not form.errors or "name" not in form.errors


@pytest.mark.django_db
def test_the_middleware_answers_not_allowed_with_the_403_page():
    request = RequestFactory().get("/products/1/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    middleware = pages.PageErrorsMiddleware(lambda r: None)
    response = middleware.process_exception(request, NotAllowed())
    assert response.status_code == 403
    assert b"utrecht-heading-1" in response.content
    # Other errors, and the API's, are not its business.
    assert middleware.process_exception(request, Conflict()) is None
    api = RequestFactory().get("/api/v1/products/")
    assert middleware.process_exception(api, NotAllowed()) is None


def test_is_htmx():
    factory = RequestFactory()
    assert pages.is_htmx(factory.get("/", headers={"HX-Request": "true"}))
    assert not pages.is_htmx(factory.get("/"))


def test_long_dates_in_dutch_and_english():
    with translation.override("nl"):
        assert long_date(datetime.date(2026, 12, 6)) == "6 december 2026"
        assert long_date(datetime.date(2026, 3, 1)) == "1 maart 2026"
    with translation.override("en"):
        assert long_date(datetime.date(2026, 12, 6)) == "6 December 2026"
    assert long_date(None) == ""


def test_times_are_shown_in_the_active_time_zone():
    moment = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC)
    with translation.override("nl"):
        with timezone.override(zoneinfo.ZoneInfo("Europe/Amsterdam")):
            assert long_datetime(moment) == "7 december 2026, 00:30"
            assert long_date(moment) == "7 december 2026"
            assert iso(moment) == "2026-12-07T00:30:00+01:00"
        with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
            assert long_datetime(moment) == "6 december 2026, 18:30"


def test_the_time_zone_middleware_takes_the_viewers_zone_and_ignores_nonsense():
    seen = []
    middleware = pages.TimeZoneMiddleware(
        lambda r: seen.append(timezone.get_current_timezone_name())
    )
    factory = RequestFactory()
    for value in ["Asia/Tokyo", "../../etc/passwd", "Nowhere/Land", ""]:
        request = factory.get("/")
        request.COOKIES[pages.TIME_ZONE_COOKIE] = value
        middleware(request)
    assert seen == ["Asia/Tokyo", "Europe/Amsterdam", "Europe/Amsterdam", "Europe/Amsterdam"]


def test_the_filters_load_in_templates():
    with translation.override("nl"):
        html = Template("{% load deelbaar_dates %}{{ d|long_date }}").render(
            Context({"d": datetime.date(2026, 12, 11)})
        )
    assert html == "11 december 2026"
