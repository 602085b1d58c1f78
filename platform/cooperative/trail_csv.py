"""The audit trail as CSV: each record's sentence in the reader's language, then its raw fields,
so that a spreadsheet shows what happened and a script can still read the codes.

Made for Excel as the Dutch use it: a UTF-8 byte order mark (without it Excel reads ö and ë as
two garbled characters) and ';' between the cells, always (Excel with Dutch settings splits on
';', since ',' is the decimal comma; a script reads it with `csv.reader(f, delimiter=";")`).
Every heading is in the request's language."""

import csv
import io
import json

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rest_framework.renderers import BaseRenderer

from cooperative.trail import describe

# Read in chunks, each described at once: the queries grow with the chunks, not the rows.
CHUNK = 1000
BOM = "\ufeff"
DELIMITER = ";"
# A cell a spreadsheet would run as a formula starts with one of these; a quote keeps it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def header() -> list[str]:
    return [
        _("Sentence"),
        _("Time"),
        pgettext("audit csv", "Action code"),
        pgettext("audit csv", "Person id"),
        pgettext("audit csv", "Person"),
        _("Role"),
        _("Organisation"),
        pgettext("audit csv", "Organisation id"),
        _("Cooperative"),
        _("Object type"),
        pgettext("audit csv", "Object id"),
        pgettext("audit csv", "Object"),
        _("Changes"),
        pgettext("audit csv", "Reason"),
    ]


def rows_as_csv(records, viewer) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER)
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
                        entry.organisation_id or "",
                        record.cooperative.slug if record.cooperative_id else "",
                        f"{record.object_type.app_label}.{record.object_type.model}",
                        record.object_id,
                        entry.subject or record.object_repr,
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
