"""The library's pages: each capability's module brings its own routes. The catalogue comes
last, because `solutions/<slug>/` would otherwise catch the others' paths."""

from solutions.views import adoption, catalogue, publication, publiccode

app_name = "solutions"

urlpatterns = [
    *publication.urlpatterns,
    *adoption.urlpatterns,
    *publiccode.urlpatterns,
    *catalogue.urlpatterns,
]
