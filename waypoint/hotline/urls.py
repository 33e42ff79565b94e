from . import urls_knowledge, urls_statistics

app_name = "hotline"

urlpatterns: list = [
    *urls_statistics.urlpatterns,
    *urls_knowledge.urlpatterns,
]
