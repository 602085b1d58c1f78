"""Signals of the cooperative app, for apps above it that hold a person's access."""

from django.dispatch import Signal

# Sent inside the transaction of `services.remove_person` with `organisation`, `user` and
# `actor`: the person no longer works for the organisation. Receivers revoke what came with it
# (personal API tokens, for instance) in the same transaction.
person_removed = Signal()
