"""People registry pages: registry (search, registration, person pages), review (merges and duplicates)
and import each keep their routes in their own module."""

from waypoint.people import urls_import, urls_registry, urls_review

app_name = "people"
urlpatterns = [*urls_registry.urlpatterns, *urls_review.urlpatterns, *urls_import.urlpatterns]
