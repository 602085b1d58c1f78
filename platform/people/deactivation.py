"""A person who loses access loses their API tokens at once, in the same transaction:

- removed from an organisation (`cooperative.services.remove_person` sends `person_removed`):
  a token carried what the person could reach, which has changed, so all of them go;
- deactivated (by an administrator, in the admin or any other way): deactivation has no service
  of its own, so it is caught on the save that makes `is_active` false."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


def revoke_tokens_of_deactivated(sender, instance, created, update_fields=None, **kwargs):
    if instance.is_active or created:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    from people.services.tokens import revoke_all_tokens

    revoke_all_tokens(user=instance, reason="account deactivated")


def revoke_tokens_of_removed(sender, *, organisation, user, actor=None, **kwargs):
    from people.services.tokens import revoke_all_tokens

    revoke_all_tokens(
        user=user,
        actor=actor,
        reason=f"removed from {organisation}",
        organisation=organisation,
    )


def connect() -> None:
    from cooperative.signals import person_removed

    person_removed.connect(revoke_tokens_of_removed, dispatch_uid="people.revoke_tokens_of_removed")
    post_save.connect(
        revoke_tokens_of_deactivated,
        sender=get_user_model(),
        dispatch_uid="people.revoke_tokens_of_deactivated",
    )
