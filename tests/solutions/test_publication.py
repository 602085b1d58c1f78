"""Publication through the services: from an accepted increment to a release, the refusals,
version ordering and the audit trail and events that approval leaves behind."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from cooperative.models import AuditRecord
from deelbaar.errors import Conflict, DomainError, NotAllowed
from deelbaar.events import user_group
from solutions import versions
from solutions.models import (
    Adoption,
    AdoptionState,
    PublicationRequest,
    PublicationState,
    Release,
    Solution,
)
from solutions.selectors.publication import (
    newest_release,
    publication_requests_for,
    releases_of,
)
from solutions.services.publication import (
    approve_publication,
    reject_publication,
    request_publication,
    withdraw_publication,
)
from sprints.models import Increment
from tests.solutions.factories import make_release, make_solution
from tests.sprints.flows import run_sprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_increment(accepted_increment, product, product_owner, developer, tester):
    """Sprint 2 run and closed; its increment 0.2.0 accepted, with release notes."""
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[2]
    )
    increment = sprint.increments.get()
    Increment.objects.filter(pk=increment.pk).update(release_notes="Bijlagen toevoegen.")
    increment.refresh_from_db()
    return increment


def publish(increment, owner, coordinator, **kwargs):
    request = request_publication(actor=owner, increment=increment, **kwargs)
    return approve_publication(actor=coordinator, publication_request=request)


# --- the path from an accepted increment to a release --------------------------------------
def test_an_accepted_increment_becomes_a_release_and_the_first_time_a_solution(
    accepted_increment, product, product_owner, coordinator, eindhoven, zob, second_increment
):
    Increment.objects.filter(pk=accepted_increment.pk).update(release_notes="Eerste versie.")
    request = request_publication(
        actor=product_owner,
        increment=accepted_increment,
        name="Subsidiesysteem",
        short_description="Subsidies aanvragen en toekennen.",
    )
    assert request.state == PublicationState.REQUESTED
    assert request.version == "0.1.0"  # the increment's own
    assert request.solution is None
    assert not Solution.objects.exists()

    release = approve_publication(actor=coordinator, publication_request=request)

    solution = release.solution
    assert solution.name == "Subsidiesysteem"
    assert solution.slug == "subsidiesysteem"
    assert solution.cooperative == zob
    assert solution.source_product == product
    assert solution.developed_by == eindhoven
    assert solution.short_description_nl == "Subsidies aanvragen en toekennen."
    assert solution.long_description_nl == product.vision
    assert (release.version, release.major, release.minor, release.patch) == ("0.1.0", 0, 1, 0)
    assert release.prerelease == ""
    assert release.notes == "Eerste versie."
    assert release.increment == accepted_increment
    assert release.published_by == coordinator
    request.refresh_from_db()
    assert request.state == PublicationState.APPROVED
    assert (request.release, request.solution, request.decided_by) == (
        release,
        solution,
        coordinator,
    )

    # The second time the same solution gets the release.
    second = publish(second_increment, product_owner, coordinator)
    assert second.solution == solution
    assert Solution.objects.count() == 1
    assert second.notes == "Bijlagen toevoegen."
    assert [r.version for r in releases_of(solution)] == ["0.2.0", "0.1.0"]
    assert newest_release(solution) == second


def test_approval_is_in_the_audit_trail(accepted_increment, product_owner, coordinator):
    request = request_publication(
        actor=product_owner, increment=accepted_increment, name="Subsidiesysteem"
    )
    release = approve_publication(actor=coordinator, publication_request=request)
    actions = list(
        AuditRecord.objects.filter(action__regex=r"^(publication|solution|release)\.")
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("publication.requested", "eva"),
        ("publication.approved", "carla"),
        ("solution.created", "carla"),
        ("release.published", "carla"),
    ]
    record = AuditRecord.objects.get(action="release.published")
    assert record.object_type == ContentType.objects.get_for_model(Release)
    assert record.object_id == str(release.pk)
    assert record.cooperative == release.solution.cooperative


def test_approval_tells_the_adopters_and_the_requester(
    accepted_increment,
    solution,
    product_owner,
    coordinator,
    mgd_person,
    mgd,
    outsider_person,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    Adoption.objects.create(
        solution=solution, organisation=mgd, state=AdoptionState.IN_USE, requested_by=mgd_person
    )
    layer = get_channel_layer()
    channels = {}
    for person in (mgd_person, product_owner, outsider_person):
        channels[person.username] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(person.pk), channels[person.username])
    request = request_publication(
        actor=product_owner, increment=accepted_increment, version="1.1.0"
    )
    with django_capture_on_commit_callbacks(execute=True):
        release = approve_publication(actor=coordinator, publication_request=request)

    adopter = async_to_sync(layer.receive)(channels["maarten"])
    assert adopter["event"] == "release.published"
    assert adopter["data"]["version"] == "1.1.0" and adopter["data"]["id"] == release.pk
    requester = async_to_sync(layer.receive)(channels["eva"])
    assert requester["event"] == "publication.approved"
    assert requester["data"]["state"] == "approved"

    async def nothing_for(channel):
        import asyncio

        try:
            await asyncio.wait_for(layer.receive(channel), timeout=0.2)
        except TimeoutError:
            return True
        return False

    assert async_to_sync(nothing_for)(channels["uma"])


# --- nothing unaccepted ------------------------------------------------------------------------
def test_a_submitted_increment_cannot_be_published(submitted_increment, product_owner):
    with translation.override("en"), pytest.raises(Conflict) as refused:
        request_publication(actor=product_owner, increment=submitted_increment, name="Sub")
    assert refused.value.field == "increment"
    assert refused.value.code == "not_accepted"
    assert "accepted" in str(refused.value.message)
    assert not PublicationRequest.objects.exists()


def test_a_draft_increment_cannot_be_published(product, product_owner, developer, tester):
    sprint = run_sprint(
        product=product,
        owner=product_owner,
        developer=developer,
        testers=[tester],
        estimates=[1],
        accept=False,
    )
    from sprints import services as sprints_services

    draft = sprints_services.create_increment(
        actor=developer,
        product=product,
        version="0.1.0",
        items=list(product.items.filter(status="done")),
        sprint=sprint,
    )
    with pytest.raises(Conflict):
        request_publication(actor=product_owner, increment=draft, name="Sub")


def test_an_increment_is_published_once(accepted_increment, product_owner, coordinator):
    request = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    with pytest.raises(Conflict) as twice:
        request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    assert twice.value.code == "already_requested"
    approve_publication(actor=coordinator, publication_request=request)
    with pytest.raises(Conflict) as again:
        request_publication(actor=product_owner, increment=accepted_increment, version="0.2.0")
    assert again.value.code == "already_published"
    with pytest.raises(Conflict):
        approve_publication(actor=coordinator, publication_request=request)
    with pytest.raises(Conflict):
        reject_publication(actor=coordinator, publication_request=request, reason="Te laat")
    assert Release.objects.count() == 1


def test_a_withdrawn_request_can_be_made_again(accepted_increment, product_owner, coordinator):
    first = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    withdrawn = withdraw_publication(actor=product_owner, publication_request=first)
    assert withdrawn.state == PublicationState.WITHDRAWN
    with pytest.raises(Conflict):
        approve_publication(actor=coordinator, publication_request=first)
    second = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    assert second.pk != first.pk
    assert AuditRecord.objects.filter(action="publication.withdrawn").count() == 1


def test_a_rejection_needs_a_reason_and_publishes_nothing(
    accepted_increment, product_owner, coordinator
):
    request = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    for reason in ("", "   ", None):
        with pytest.raises(DomainError) as missing:
            reject_publication(actor=coordinator, publication_request=request, reason=reason)
        assert missing.value.field == "reason"
    rejected = reject_publication(
        actor=coordinator, publication_request=request, reason="Eerst de toegankelijkheid."
    )
    assert rejected.state == PublicationState.REJECTED
    assert rejected.reason == "Eerst de toegankelijkheid."
    assert not Release.objects.exists() and not Solution.objects.exists()
    record = AuditRecord.objects.get(action="publication.rejected")
    assert record.reason == "Eerst de toegankelijkheid."


# --- who may ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", ["developer", "tester", "coordinator", "other_coordinator", "outsider_person"]
)
def test_only_the_product_owner_requests(accepted_increment, role, request):
    person = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        request_publication(actor=person, increment=accepted_increment, name="Sub")
    assert not PublicationRequest.objects.exists()


@pytest.mark.parametrize(
    "role", ["product_owner", "developer", "tester", "other_coordinator", "outsider_person"]
)
def test_only_a_coordinator_of_the_cooperative_decides(
    accepted_increment, product_owner, role, request
):
    publication = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    person = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        approve_publication(actor=person, publication_request=publication)
    with pytest.raises(NotAllowed):
        reject_publication(actor=person, publication_request=publication, reason="Nee")
    publication.refresh_from_db()
    assert publication.state == PublicationState.REQUESTED


def test_only_the_requester_withdraws(accepted_increment, product_owner, coordinator):
    publication = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    with pytest.raises(NotAllowed):
        withdraw_publication(actor=coordinator, publication_request=publication)


def test_an_administrator_has_no_powers_beyond_the_rules(accepted_increment, product_owner, admin):
    publication = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    with pytest.raises(NotAllowed):
        approve_publication(actor=admin, publication_request=publication)


def test_who_sees_which_requests(
    accepted_increment, product_owner, coordinator, other_coordinator, developer
):
    publication = request_publication(actor=product_owner, increment=accepted_increment, name="Sub")
    assert list(publication_requests_for(product_owner)) == [publication]
    assert list(publication_requests_for(coordinator)) == [publication]
    assert list(publication_requests_for(other_coordinator)) == []
    assert list(publication_requests_for(developer)) == []


# --- versions ----------------------------------------------------------------------------------
def test_versions_order_by_semantic_precedence():
    parse = versions.parse
    assert parse("1.10.0") > parse("1.9.0")
    assert parse("1.0.0-rc.1") < parse("1.0.0")
    assert parse("1.0.0-rc.2") < parse("1.0.0-rc.10")
    assert parse("1.0.0-alpha") < parse("1.0.0-beta")
    assert versions.is_newer(parse("1.10.0"), parse("1.9.0"))
    assert not versions.is_newer(parse("1.0.0"), parse("1.0.0"))
    assert not versions.is_newer(parse("1.0.0+build.2"), parse("1.0.0+build.1"))
    assert versions.parts(parse("2.1.3-rc.1")) == {
        "major": 2,
        "minor": 1,
        "patch": 3,
        "prerelease": "rc.1",
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("1.2", "invalid_version"),
        ("v1.2.3", "invalid_version"),
        ("01.2.3", "invalid_version"),
        ("1.2.3-", "invalid_version"),
        ("een", "invalid_version"),
        ("1." * 60 + "0", "max_length"),
        ("9999999999.0.0", "invalid_version"),
    ],
)
def test_a_bad_version_is_a_clear_error(text, code):
    with pytest.raises(DomainError) as bad:
        versions.parse(text)
    assert bad.value.field == "version"
    assert bad.value.code == code
    assert bad.value.status_code == 400


def test_the_newest_release_is_by_precedence_not_by_text(zob):
    solution = make_solution(cooperative=zob, name="Zaaksysteem")
    for version in ("1.9.0", "1.10.0", "1.2.0"):
        make_release(solution, version)
    assert newest_release(solution).version == "1.10.0"
    assert [r.version for r in releases_of(solution)] == ["1.10.0", "1.9.0", "1.2.0"]
    make_release(solution, "1.11.0-rc.1")
    make_release(solution, "1.11.0")
    assert newest_release(solution).version == "1.11.0"
    assert [r.version for r in releases_of(solution)][:2] == ["1.11.0", "1.11.0-rc.1"]


def test_release_versions_go_up(
    solution, product, product_owner, developer, tester, coordinator, accepted_increment
):
    """`solution` has 1.0.0; the increment 0.1.0 may not go under it, nor equal it."""
    for version, code in (("0.1.0", "version_not_greater"), ("1.0.0", "version_not_greater")):
        with pytest.raises(Conflict) as lower:
            request_publication(actor=product_owner, increment=accepted_increment, version=version)
        assert (lower.value.field, lower.value.code) == ("version", code)
    # A pre-release of the next version is newer than 1.0.0; its final release newer still.
    release = publish(accepted_increment, product_owner, coordinator, version="1.1.0-rc.1")
    assert release.solution == solution
    assert (release.minor, release.prerelease) == (1, "rc.1")
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[1]
    )
    following = sprint.increments.get()
    with pytest.raises(Conflict):
        request_publication(actor=product_owner, increment=following, version="1.1.0-alpha")
    final = publish(following, product_owner, coordinator, version="1.1.0")
    assert newest_release(solution) == final
    assert [r.version for r in releases_of(solution)] == ["1.1.0", "1.1.0-rc.1", "1.0.0"]


def test_the_version_is_checked_again_on_approval(
    solution, product, product_owner, developer, tester, coordinator, accepted_increment
):
    """Two open requests for 1.1.0: the first approved wins; the second is refused, not a 500."""
    sprint = run_sprint(
        product=product, owner=product_owner, developer=developer, testers=[tester], estimates=[1]
    )
    following = sprint.increments.get()
    first = request_publication(actor=product_owner, increment=accepted_increment, version="1.1.0")
    second = request_publication(actor=product_owner, increment=following, version="1.1.0")
    approve_publication(actor=coordinator, publication_request=first)
    with pytest.raises(Conflict) as stale:
        approve_publication(actor=coordinator, publication_request=second)
    assert stale.value.field == "version"
    second.refresh_from_db()
    assert second.state == PublicationState.REQUESTED
    assert Release.objects.filter(solution=solution).count() == 2


# --- bad input -------------------------------------------------------------------------------
def test_a_new_solution_needs_a_name(accepted_increment, product_owner):
    for name in ("", "   "):
        with pytest.raises(DomainError) as missing:
            request_publication(actor=product_owner, increment=accepted_increment, name=name)
        assert (missing.value.field, missing.value.code) == ("name", "required")
    with pytest.raises(DomainError) as long:
        request_publication(actor=product_owner, increment=accepted_increment, name="x" * 201)
    assert long.value.field == "name"
    assert not PublicationRequest.objects.exists()


def test_bad_input_of_a_request_names_the_field(accepted_increment, product_owner, dimpact):
    cases = [
        ({"version": "1.2", "name": "Sub"}, "version"),
        ({"version": "", "name": "Sub"}, "version"),
        ({"name": "Sub", "short_description": "x" * 151}, "short_description"),
        ({"solution": make_solution(cooperative=dimpact, name="Elders")}, "solution"),
    ]
    for arguments, field in cases:
        with pytest.raises(DomainError) as bad:
            request_publication(actor=product_owner, increment=accepted_increment, **arguments)
        assert bad.value.field == field, arguments
    assert not PublicationRequest.objects.exists()


def test_a_new_solution_gets_a_free_address(
    accepted_increment, product_owner, coordinator, dimpact
):
    make_solution(cooperative=dimpact, name="Subsidiesysteem", slug="subsidiesysteem")
    release = publish(accepted_increment, product_owner, coordinator, name="Subsidiesysteem")
    assert release.solution.slug == "subsidiesysteem-2"


def test_a_solution_never_takes_a_path_of_the_library(
    accepted_increment, product_owner, coordinator
):
    release = publish(accepted_increment, product_owner, coordinator, name="Publication requests")
    assert release.solution.slug == "publication-requests-2"


def test_an_increment_is_released_only_into_its_own_products_solution(
    accepted_increment, product_owner, coordinator, zob
):
    """Not into another product's solution, nor into software brought in from outside."""
    other = make_solution(cooperative=zob, name="Gedeeld loket")
    make_release(other, "2.0.0")
    with pytest.raises(DomainError) as refused:
        request_publication(
            actor=product_owner, increment=accepted_increment, solution=other, version="2.1.0"
        )
    assert refused.value.field == "solution"
    assert other.releases.count() == 1
    assert not PublicationRequest.objects.exists()


def test_the_products_own_solution_can_be_chosen(
    accepted_increment, product_owner, coordinator, solution
):
    release = publish(
        accepted_increment, product_owner, coordinator, solution=solution, version="1.1.0"
    )
    assert release.solution == solution


def test_a_new_solution_is_seeded_from_the_increment(
    accepted_increment, product_owner, coordinator
):
    product_owner.email = "eva@eindhoven.example"
    product_owner.save(update_fields=["email"])
    release = publish(accepted_increment, product_owner, coordinator, name="Subsidies")
    solution = release.solution
    titles = [i.title for i in accepted_increment.items.order_by("number")]
    assert solution.features_nl == titles
    assert solution.maintenance_type == "internal"
    assert solution.maintenance_contacts[0]["email"] == "eva@eindhoven.example"


class TestRecordedReleasesOfSoftwareBroughtIn:
    """Software brought in from outside (no source product) had releases before the library;
    a coordinator records them. Deelbaar's own products publish only accepted increments."""

    @pytest.fixture
    def brought_in(self, dimpact):
        from tests.solutions.factories import make_solution

        return make_solution(cooperative=dimpact, name="Zaakgericht werken")

    def test_a_coordinator_records_increasing_releases(self, brought_in, other_coordinator):
        from solutions.services.publication import record_release

        first = record_release(actor=other_coordinator, solution=brought_in, version="2.3.0")
        second = record_release(actor=other_coordinator, solution=brought_in, version="2.10.0")
        assert [first.version, second.version] == ["2.3.0", "2.10.0"]
        with pytest.raises(Conflict) as refused:
            record_release(actor=other_coordinator, solution=brought_in, version="2.9.0")
        assert refused.value.field == "version"
        assert brought_in.releases.count() == 2

    def test_others_cannot_record(self, brought_in, coordinator, member_person):
        from solutions.services.publication import record_release

        for person in (coordinator, member_person):
            with pytest.raises(NotAllowed):
                record_release(actor=person, solution=brought_in, version="1.0.0")
        assert brought_in.releases.count() == 0

    def test_a_product_of_the_platform_publishes_only_through_a_request(
        self, solution, coordinator
    ):
        from solutions.services.publication import record_release

        with pytest.raises(Conflict) as refused:
            record_release(actor=coordinator, solution=solution, version="9.0.0")
        assert refused.value.code == "published_from_sprints"
