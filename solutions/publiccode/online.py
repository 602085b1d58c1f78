"""The one check that goes on the network, and only when asked (`deelbaar publiccode validate
--online`): whether the web addresses a file gives can be reached, as the reference parser
checks them. Never used by the API or the import: a site must not fetch addresses a visitor
chooses (the request could reach inside the network the site runs in).
"""

import urllib.error
import urllib.request

from django.utils.translation import gettext as _

TIMEOUT = 10


def unreachable(url: str) -> str | None:
    """None when `url` answers (a status below 400, after redirects), else why not."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(  # noqa: S310 (http and https only, checked before)
            url, method=method, headers={"User-Agent": "Deelbaar publiccode validate"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT):  # noqa: S310
                return None
        except urllib.error.HTTPError as error:
            # Some servers refuse HEAD: ask again with GET before calling it unreachable.
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return _("%(url)s answers %(status)s.") % {"url": url, "status": error.code}
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return _("%(url)s cannot be reached: %(reason)s.") % {"url": url, "reason": reason}
    return None
