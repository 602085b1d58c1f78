"""A person deactivated (by an administrator, in the admin or any other way) loses their API
tokens at once. Removing a person from an organisation revokes them through
`people.tokens.revoke_all_tokens()` in that service; deactivation has no service of its own,
so it is caught here, on the save that makes `is_active` false."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


def revoke_tokens_of_deactivated(sender, instance, created, update_fields=None, **kwargs):
    if instance.is_active or created:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    from people.tokens import revoke_all_tokens

    revoke_all_tokens(user=instance, reason="account deactivated")


def connect() -> None:
    post_save.connect(
        revoke_tokens_of_deactivated,
        sender=get_user_model(),
        dispatch_uid="people.revoke_tokens_of_deactivated",
    )
