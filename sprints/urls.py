"""The sprints pages under /products/; filled in with the views."""

app_name = "sprints"
urlpatterns = []
