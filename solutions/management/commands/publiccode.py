"""`deelbaar publiccode validate FILE...`: check publiccode.yml files as the standard and its
reference parser read them, so a municipality can check its file in its own CI.

Each problem is one line in the reference parser's style, `key.path: message` (warnings say
`warning:`), prefixed with the file's name when several are checked. The exit status is 0 when
no file has an error (warnings do not count), 1 when one has, 2 when a file cannot be read.
`-` reads standard input. Nothing goes on the network unless `--online` asks every web address
whether it answers; with `--skipped` the checks not made are listed as warnings.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from solutions.publiccode import MAX_BYTES, check_publiccode


class Command(BaseCommand):
    help = "Check publiccode.yml files as the standard and its reference parser read them."
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        validate = actions.add_parser(
            "validate", help="Check files; the exit status is 1 when one has an error."
        )
        validate.add_argument("files", nargs="+", metavar="FILE", help="A file, or - for stdin.")
        validate.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the messages.",
        )
        validate.add_argument(
            "--skipped",
            action="store_true",
            help="Also list the checks that need the network, which are not made.",
        )
        validate.add_argument(
            "--online",
            action="store_true",
            help="Also ask every web address in the files whether it answers.",
        )
        validate.add_argument(
            "--quiet", action="store_true", help="Print errors only, not warnings."
        )

    def handle(self, *args, action, files, language, skipped, online, quiet, **options):
        with translation.override(language):
            invalid, unreadable = 0, 0
            for name in files:
                text = self._read(name)
                prefix = f"{name}: " if len(files) > 1 else ""
                if text is None:
                    unreadable += 1
                    self.stderr.write(prefix + _("the file cannot be read."))
                    continue
                problems = check_publiccode(text, report_skipped=skipped, online=online)
                if any(p.is_error for p in problems):
                    invalid += 1
                for problem in problems:
                    if quiet and not problem.is_error:
                        continue
                    self.stdout.write(f"{prefix}{problem.line()}")
                if not any(p.is_error for p in problems):
                    self.stdout.write(prefix + _("valid"))
            if unreadable:
                raise CommandError(
                    _("%(count)s file(s) could not be read.") % {"count": unreadable},
                    returncode=2,
                )
            if invalid:
                raise CommandError(
                    _("%(count)s file(s) with errors.") % {"count": invalid}, returncode=1
                )

    @staticmethod
    def _read(name) -> bytes | None:
        try:
            if name == "-":
                return sys.stdin.buffer.read(MAX_BYTES + 1)
            with open(name, "rb") as file:
                return file.read(MAX_BYTES + 1)
        except OSError:
            return None
