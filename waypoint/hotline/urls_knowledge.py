"""Routes of the knowledge base."""

from django.urls import path

from . import views_knowledge

urlpatterns: list = [
    path("knowledge/", views_knowledge.knowledge_list, name="knowledge"),
    path("knowledge/new/", views_knowledge.article_new, name="article_new"),
    path("knowledge/<int:pk>/", views_knowledge.article, name="article"),
    path("knowledge/<int:pk>/edit/", views_knowledge.article_edit, name="article_edit"),
]
