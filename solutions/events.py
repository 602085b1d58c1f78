"""The live events of the library, sent after the transaction commits: to everyone viewing a
solution's page, and to the people concerned (adopters, requesters, coordinators)."""

from deelbaar.events import notify_users, publish_on_commit


def solution_group(solution_id: int) -> str:
    return f"solution.{solution_id}"


def release_payload(release) -> dict:
    return {
        "id": release.pk,
        "solution": release.solution_id,
        "slug": release.solution.slug,
        "name": release.solution.name,
        "version": release.version,
        "increment": release.increment_id,
    }


def release_published(release, adopter_user_ids) -> None:
    """release.published: on the solution's page and to the people of adopting organisations.
    The integrations app hooks its git tag and webhooks onto the same event."""
    data = release_payload(release)
    publish_on_commit(solution_group(release.solution_id), "release.published", data)
    notify_users(adopter_user_ids, "release.published", data)


def publication_event(publication_request, event: str, user_ids) -> None:
    """publication.requested, publication.approved or publication.rejected."""
    data = {
        "id": publication_request.pk,
        "increment": publication_request.increment_id,
        "solution": publication_request.solution_id,
        "version": publication_request.version,
        "state": publication_request.state,
    }
    notify_users(user_ids, event, data)


def adoption_changed(adoption, user_ids=()) -> None:
    data = {
        "id": adoption.pk,
        "solution": adoption.solution_id,
        "organisation": adoption.organisation_id,
        "state": adoption.state,
        "release": adoption.release_id,
    }
    publish_on_commit(solution_group(adoption.solution_id), "adoption.changed", data)
    notify_users(user_ids, "adoption.changed", data)


def review_posted(review) -> None:
    """review.posted: an organisation reviewed a solution for the first time (a revision is
    not announced). On the solution's page; notifications tell its product owner."""
    publish_on_commit(
        solution_group(review.solution_id),
        "review.posted",
        {
            "id": review.pk,
            "solution": review.solution_id,
            "organisation": review.organisation_id,
            "score": review.score,
            "actor": review.author_id,
        },
    )
