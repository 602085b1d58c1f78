"""The library's API under /api/v1/: each capability's module brings its own routes. The
catalogue comes last, because `solutions/<slug>/` would otherwise catch the others' paths."""

from solutions.api import adoption, catalogue, publication, publiccode, validation

urlpatterns = [
    *publication.urlpatterns,
    *adoption.urlpatterns,
    *publiccode.urlpatterns,
    *validation.urlpatterns,
    *catalogue.urlpatterns,
]
