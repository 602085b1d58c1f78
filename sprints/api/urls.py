"""The sprints API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from sprints.api import labels, views

PRODUCT = "products/<int:product_pk>"

# Path converters, so ids are whole numbers in the URLs and in the schema alike.
router = SimpleRouter(use_regex_path=False)
router.register("products", views.ProductViewSet, basename="product")
router.register(f"{PRODUCT}/backlog", views.BacklogViewSet, basename="backlog")
router.register(f"{PRODUCT}/team", views.TeamViewSet, basename="team")
router.register(f"{PRODUCT}/labels", labels.LabelViewSet, basename="label")
router.register(f"{PRODUCT}/epics", labels.EpicViewSet, basename="epic")
router.register("items/<int:item_pk>/tags", labels.ItemTagsViewSet, basename="item-tags")
router.register("people", views.PeopleViewSet, basename="people")
router.register(f"{PRODUCT}/sprints", views.ProductSprintViewSet, basename="product-sprint")
router.register("items", views.ItemViewSet, basename="item")
router.register("sprints", views.SprintViewSet, basename="sprint")
router.register("increments", views.IncrementViewSet, basename="increment")
router.register("me/inbox", views.InboxViewSet, basename="inbox")

urlpatterns = router.urls
