from django.shortcuts import render
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "deelbaar/home.html"


def csrf_failure(request, reason=""):
    """A refused form (its page was open too long, or cookies were cleared meanwhile), in the
    platform's own page and language: Django's default page is English, for developers, and
    its inline style is blocked by the CSP."""
    return render(request, "403_csrf.html", status=403)
