"""What the cooperative pages share: finding the cooperative (404 for who may not see it)."""

from django.http import Http404
from django.utils.translation import gettext as _

from cooperative import selectors
from cooperative.models import Cooperative


def _cooperative(slug):
    try:
        return selectors.cooperative_detail(slug)
    except Cooperative.DoesNotExist:
        raise Http404(_("There is no cooperative at this address.")) from None
