"""Background jobs of the integrations: syncing a repository."""

from celery import shared_task

from integrations.services import repositories


@shared_task(name="integrations.sync_repository")
def sync_repository(repository_id: int, requested_by: int | None = None) -> str:
    """Sync the repository's mirror and import its new commits (see the service)."""
    return repositories.sync_repository(repository_id, requested_by=requested_by)
