"""The sprints API under /api/v1/; filled in with the viewsets."""

urlpatterns = []
