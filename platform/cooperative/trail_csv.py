"""The audit trail as CSV: each record's sentence in the reader's language, then its raw fields,
so that a spreadsheet shows what happened and a script can still read the codes."""

import csv
import io
import json

from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer

from cooperative.trail import describe

# Read in chunks, each described at once: the queries grow with the chunks, not the rows.
CHUNK = 1000
# A cell a spreadsheet would run as a formula starts with one of these; a quote keeps it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def header() -> list[str]:
    return [
        _("Sentence"),
        "at",
        "action",
        "actor",
        "actor_name",
        _("Role"),
        _("Organisation"),
        "organisation",
        "cooperative",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "reason",
    ]


def rows_as_csv(records, viewer) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header())
    records = records.order_by("-at", "-id")
    start = 0
    while True:
        chunk = list(records[start : start + CHUNK])
        if not chunk:
            break
        for entry in describe(chunk, viewer):
            record = entry.record
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        entry.sentence,
                        record.at.isoformat(),
                        record.action,
                        record.actor_id or "",
                        record.actor_name,
                        entry.role,
                        entry.organisation,
                        record.organisation_id or "",
                        record.cooperative.slug if record.cooperative_id else "",
                        f"{record.object_type.app_label}.{record.object_type.model}",
                        record.object_id,
                        record.object_repr,
                        json.dumps(record.changes, ensure_ascii=False),
                        record.reason,
                    )
                ]
            )
        if len(chunk) < CHUNK:
            break
        start += CHUNK
    return out.getvalue()


class CSVRenderer(BaseRenderer):
    """Lets a client ask for text/csv; an error on that route still reads as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data, ensure_ascii=False)
