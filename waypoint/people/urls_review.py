"""Routes of the people review pages: possible duplicates, merging two records, and the merges made."""

from django.urls import path

from . import views_review

urlpatterns: list = [
    path("duplicates/", views_review.duplicate_list, name="duplicates"),
    path("duplicates/<int:pk>/not-same/", views_review.duplicate_not_same, name="duplicate_not_same"),
    path("<int:pk>/merge/", views_review.merge_start, name="merge_start"),
    path("merge/<int:survivor>/<int:absorbed>/", views_review.merge_confirm, name="merge_confirm"),
    path("merges/", views_review.merge_list, name="merges"),
    path("merges/<int:pk>/undo/", views_review.merge_undo, name="merge_undo"),
]
