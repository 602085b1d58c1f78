"""Reviews: only an organisation with the solution in use reviews it, once, revising later."""

import pytest

from cooperative.models import AuditRecord
from deelbaar.errors import DomainError, NotAllowed
from solutions.models import Review
from solutions.selectors import reuse
from solutions.services import adoption as services
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import adopt, in_use, organisation_of

pytestmark = pytest.mark.django_db


def review(user, solution, score=4, organisation=None, **text):
    return services.review_solution(
        actor=user,
        solution=solution,
        organisation=organisation or organisation_of(user),
        score=score,
        **text,
    )


def test_an_organisation_with_it_in_use_reviews_and_revises(solution, member_person, eindhoven):
    in_use(member_person, solution)
    first = review(member_person, solution, 4, pros="Snel ingericht", cons="Weinig rapportages")
    assert first.was_created
    assert (first.score, first.pros, first.cons) == (4, "Snel ingericht", "Weinig rapportages")
    revised = review(member_person, solution, 5, pros="Snel ingericht")
    assert not revised.was_created and revised.pk == first.pk
    assert Review.objects.get().score == 5
    assert Review.objects.get().cons == ""
    actions = list(
        AuditRecord.objects.filter(action__startswith="review.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["review.created", "review.revised"]
    [shown] = reuse.reviews_of(solution)
    assert shown.organisation == eindhoven


def test_only_with_it_in_use(solution, member_person, mgd_person, outsider_person):
    # Never adopted; adopted but not in use; in use and then stopped.
    with pytest.raises(NotAllowed) as refused:
        review(outsider_person, solution)
    assert refused.value.code == "not_in_use"
    adoption = adopt(member_person, solution)
    with pytest.raises(NotAllowed):
        review(member_person, solution)
    adoption = services.take_into_use(actor=member_person, adoption=adoption)
    services.stop_adoption(actor=member_person, adoption=adoption)
    with pytest.raises(NotAllowed):
        review(member_person, solution)
    assert not Review.objects.exists()


def test_never_for_another_organisation(solution, member_person, mgd_person, mgd):
    in_use(mgd_person, solution)
    with pytest.raises(NotAllowed) as refused:
        review(member_person, solution, organisation=mgd)
    assert refused.value.code == "permission_denied"
    assert not Review.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1, "vijf", None, 3.5, True])
def test_a_score_is_1_to_5(solution, member_person, score):
    in_use(member_person, solution)
    with pytest.raises(DomainError) as refused:
        review(member_person, solution, score)
    assert refused.value.field == "score"
    assert not Review.objects.exists()


def test_long_texts_are_refused(solution, member_person):
    in_use(member_person, solution)
    for field in ("pros", "cons"):
        with pytest.raises(DomainError) as refused:
            review(member_person, solution, **{field: "x" * 5_001})
        assert refused.value.field == field
    assert not Review.objects.exists()


def test_average_score(solution, member_person, mgd_person):
    assert reuse.average_score(solution) is None
    in_use(member_person, solution)
    in_use(mgd_person, solution)
    review(member_person, solution, 4)
    review(mgd_person, solution, 5)
    assert str(reuse.average_score(solution)) == "4.5"
