"""Routes of the knowledge base."""

urlpatterns: list = []
