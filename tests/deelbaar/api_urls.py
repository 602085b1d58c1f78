"""A small API used only by the tests of the shared API base (pagination, filters, errors)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.views import APIView

from deelbaar.errors import Conflict


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "is_staff"]


class People(generics.ListAPIView):
    serializer_class = PersonSerializer
    queryset = get_user_model().objects.order_by("username")
    filterset_fields = ["id", "is_staff", "username"]
    ordering_fields = ["username"]


class NestedInput(serializers.Serializer):
    class Criterion(serializers.Serializer):
        text = serializers.CharField(max_length=10)

    title = serializers.CharField()
    criteria = Criterion(many=True)


class Nested(APIView):
    def post(self, request):
        NestedInput(data=request.data).is_valid(raise_exception=True)


class Transition(APIView):
    def post(self, request):
        raise Conflict("An approved membership cannot be approved again.", field="state")


class ModelRule(APIView):
    def post(self, request):
        raise ValidationError({"code": ["Use GM followed by four digits."]})


class Crash(APIView):
    def get(self, request):
        raise RuntimeError("boom")


def plain_not_found(request):
    raise Http404


def plain_forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("api/v1/test/plain-404/", plain_not_found),
    path("api/v1/test/plain-403/", plain_forbidden),
    path("api/v1/test/people/", People.as_view()),
    path("api/v1/test/nested/", Nested.as_view()),
    path("api/v1/test/transition/", Transition.as_view()),
    path("api/v1/test/model-rule/", ModelRule.as_view()),
    path("api/v1/test/crash/", Crash.as_view()),
    path("", include("deelbaar.urls")),
]

handler404 = "deelbaar.api.exceptions.handler404"
handler500 = "deelbaar.api.exceptions.handler500"
