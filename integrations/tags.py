"""The release tag job and the receiver that queues it on `release.published`.

The receiver is connected in integrations/apps.py to `deelbaar.events.event_published`, which
is sent after the publishing transaction commits; the git work runs in the Celery worker (in
the embedded mode eagerly, in-process).
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="integrations.tag_release")
def tag_release(release_id: int) -> str | None:
    """Tag the release in its product's repository (see integrations/services/releases.py)."""
    from integrations.services import releases

    tag = releases.tag_release(release_id)
    return tag.name if tag is not None else None


def on_event_published(sender, *, group, event, data, **kwargs) -> None:
    # release.published is announced twice (to the solution's page and to people); the
    # broadcast one (with a group) counts.
    if event != "release.published" or group is None:
        return
    try:
        tag_release.delay(int(data["id"]))
    except Exception:
        # The release is published already; a missing tag must not hide that.
        logger.exception("could not queue the tag of release %s", data.get("id"))
