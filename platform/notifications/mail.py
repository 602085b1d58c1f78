"""Notifications by e-mail: at once or in the daily digest, per person and kind.

`queue_mails_for(notification_ids)` is called by `notifications.services.notify()` in the
transaction that created the notifications: for each one whose recipient wants that kind at once
(`Preference`, else `default_channel`), it writes the mail (in the recipient's language) and a
`Mailing` record, and queues it with `deelbaar.mail.queue_mails` - a constant number of queries,
however many recipients, and the request never waits for a mail server (the mails go out from
background jobs after the commit). The digest (`send_digests`, daily) gathers each person's
not yet mailed, unread notifications of their digest kinds into one mail; `Digest` (one per
person and day) and `Mailing` (one per notification) make every run idempotent.

Every mail has a plain text and an HTML part, a link to the object, and a signed link that
switches that kind off for that person without signing in (also as the `List-Unsubscribe`
header, with `List-Unsubscribe-Post` for mail programs' one-click button, RFC 8058). Nobody is
mailed of their own action: `notify()` leaves the actor out, and this module checks it again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from deelbaar.mail import Mail, absolute_url, queue_mails
from notifications.models import (
    Channel,
    Digest,
    Kind,
    Mailing,
    Notification,
    Preference,
    Recipient,
    default_channel,
)
from notifications.texts import render

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# The digest's own unsubscribe link (in its header) switches every digest kind off.
DIGEST = "digest"
# A digest gathers notifications of at most this age (older ones were seen, or are stale).
DIGEST_WINDOW = timedelta(days=7)


# --- Who wants what, in which language ------------------------------------------------------------
def language_for(person) -> str:
    """The language a person's mails are written in: their choice, else the site's."""
    try:
        chosen = person.notification_settings.language
    except Recipient.DoesNotExist:
        chosen = ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def channels_for(person_ids) -> dict[int, dict[str, str]]:
    """Each person's channel per kind (their preferences over the defaults), in one query."""
    chosen: dict[int, dict[str, str]] = {pk: {} for pk in person_ids}
    rows = Preference.objects.filter(person_id__in=list(person_ids)).values_list(
        "person_id", "kind", "channel"
    )
    for person_id, kind, channel in rows:
        chosen[person_id][kind] = channel
    return {
        pk: {kind: prefs.get(kind, default_channel(kind)) for kind in Kind.values}
        for pk, prefs in chosen.items()
    }


def unsubscribe_token(person_id: int, kind: str) -> str:
    return signing.dumps([person_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(person id, kind) of a token this site signed; `signing.BadSignature` otherwise."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or value[1] not in [*Kind.values, DIGEST]
    ):
        raise signing.BadSignature("not an unsubscribe token")
    return value[0], value[1]


def unsubscribe_url(person_id: int, kind: str) -> str:
    return absolute_url(
        reverse("notification_mail:unsubscribe", args=[unsubscribe_token(person_id, kind)])
    )


def _unsubscribe_headers(url: str) -> dict:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- Writing the mails ---------------------------------------------------------------------------
def _name(person) -> str:
    return person.get_full_name() or person.get_username()


def compose_one(notification: Notification) -> Mail:
    """The mail telling the recipient of one notification, in their language."""
    person = notification.recipient
    with translation.override(language_for(person)):
        text = render(notification)
        unsubscribe = unsubscribe_url(person.pk, notification.kind)
        context = {
            "name": _name(person),
            "text": text,
            "link": absolute_url(notification.url) if notification.url else "",
            "kind_label": str(Kind(notification.kind).label),
            "unsubscribe": unsubscribe,
            "preferences": absolute_url(reverse("notification_mail:preferences")),
            "language": translation.get_language(),
        }
        subject = _("Deelbaar: %(text)s") % {"text": text}
        return Mail(
            to=[person.email],
            subject=subject[:300],
            text=render_to_string("notifications/mail/notification.txt", context),
            html=render_to_string("notifications/mail/notification.html", context),
            headers=_unsubscribe_headers(unsubscribe),
        )


def compose_digest(person, notifications) -> Mail:
    """One mail with the person's notifications of the day, newest first."""
    with translation.override(language_for(person)):
        entries = [
            {
                "text": render(n),
                "link": absolute_url(n.url) if n.url else "",
                "kind": n.kind,
                "kind_label": str(Kind(n.kind).label),
            }
            for n in notifications
        ]
        kinds = []
        for entry in entries:
            if entry["kind"] not in [k["kind"] for k in kinds]:
                kinds.append(
                    {
                        "kind": entry["kind"],
                        "label": entry["kind_label"],
                        "unsubscribe": unsubscribe_url(person.pk, entry["kind"]),
                    }
                )
        unsubscribe = unsubscribe_url(person.pk, DIGEST)
        context = {
            "name": _name(person),
            "entries": entries,
            "kinds": kinds,
            "unsubscribe": unsubscribe,
            "preferences": absolute_url(reverse("notification_mail:preferences")),
            "centre": absolute_url(reverse("notifications:centre")),
            "language": translation.get_language(),
        }
        count = len(entries)
        subject = translation.ngettext(
            "Deelbaar: %(count)d new notification today",
            "Deelbaar: %(count)d new notifications today",
            count,
        ) % {"count": count}
        return Mail(
            to=[person.email],
            subject=subject,
            text=render_to_string("notifications/mail/digest.txt", context),
            html=render_to_string("notifications/mail/digest.html", context),
            headers=_unsubscribe_headers(unsubscribe),
        )


# --- At once -------------------------------------------------------------------------------------
def queue_mails_for(notification_ids) -> int:
    """Queue the immediate mails of these new notifications (called in their transaction); the
    number queued. Queries: the notifications with their recipients, the preferences, the mails,
    the records - four, whatever the number."""
    notifications = list(
        Notification.objects.filter(pk__in=list(notification_ids), mailing__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "recipient__notification_settings")
        .order_by("pk")
    )
    if not notifications:
        return 0
    channels = channels_for({n.recipient_id for n in notifications})
    immediate = [
        n
        for n in notifications
        if channels[n.recipient_id][n.kind] == Channel.IMMEDIATE
        and n.recipient.is_active
        and n.actor_id != n.recipient_id
    ]
    if not immediate:
        return 0
    mails = queue_mails([compose_one(n) for n in immediate])
    Mailing.objects.bulk_create(
        [Mailing(notification=n, mail=m) for n, m in zip(immediate, mails, strict=True)]
    )
    return len(mails)


# --- The daily digest ----------------------------------------------------------------------------
def send_digests(*, now=None) -> int:
    """Mail each person one digest of their unmailed, unread notifications of digest kinds; at
    most one digest per person a day. The number of digests queued."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = list(
        Notification.objects.filter(
            mailing__isnull=True,
            read_at__isnull=True,
            created_at__lte=now,
            created_at__gte=now - DIGEST_WINDOW,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .exclude(recipient__notification_digests__day=day)
        .select_related("recipient", "recipient__notification_settings")
        .order_by("-created_at", "-pk")
    )
    if not pending:
        return 0
    channels = channels_for({n.recipient_id for n in pending})
    by_person: dict[int, list[Notification]] = {}
    for n in pending:
        if channels[n.recipient_id][n.kind] == Channel.DIGEST and n.actor_id != n.recipient_id:
            by_person.setdefault(n.recipient_id, []).append(n)
    sent = 0
    for notifications in by_person.values():
        person = notifications[0].recipient
        try:
            with transaction.atomic():
                digest = Digest.objects.create(person=person, day=day)
                [mail] = queue_mails([compose_digest(person, notifications)])
                digest.mail = mail
                digest.save(update_fields=["mail"])
                Mailing.objects.bulk_create(
                    [Mailing(notification=n, mail=mail, digest=digest) for n in notifications]
                )
        except IntegrityError:
            # Another run made this person's digest (or mailed one of these) meanwhile.
            logger.info("digest for person %s on %s: already made", person.pk, day)
            continue
        sent += 1
    return sent


# --- Unsubscribing and preferences ---------------------------------------------------------------
@transaction.atomic
def set_channel(*, person, kind: str, channel: str) -> None:
    Kind(kind)
    Channel(channel)
    Preference.objects.update_or_create(person=person, kind=kind, defaults={"channel": channel})


@transaction.atomic
def unsubscribe(*, person_id: int, kind: str) -> list[str]:
    """Switch `kind` (or, for the digest's token, every digest kind) off for the person; the
    kinds switched off."""
    if kind == DIGEST:
        kinds = [k for k, c in channels_for([person_id])[person_id].items() if c == Channel.DIGEST]
    else:
        kinds = [kind]
    for k in kinds:
        Preference.objects.update_or_create(
            person_id=person_id, kind=k, defaults={"channel": Channel.OFF}
        )
    return kinds


@transaction.atomic
def set_language(*, person, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    Recipient.objects.update_or_create(person=person, defaults={"language": language})
