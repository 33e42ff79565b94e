"""Routes of the consent pages: recording and withdrawing a consent, the registry and the signed form."""

from django.urls import path

from . import views

app_name = "consent"

urlpatterns: list = [
    path("", views.registry, name="registry"),
    path("person/<int:person_pk>/new/", views.record_consent, name="record"),
    path("<int:pk>/form/", views.signed_form, name="form"),
    path("<int:pk>/withdraw/", views.withdraw_consent, name="withdraw"),
]
