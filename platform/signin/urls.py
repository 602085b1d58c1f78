from django.urls import path

from signin.views import second_factor as views

app_name = "signin"

urlpatterns = [
    path("", views.account, name="account"),
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("remove/", views.remove, name="remove"),
]
