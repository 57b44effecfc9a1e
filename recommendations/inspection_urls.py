"""The inspection list and an inspection's page, under /inspections/ and the URL namespace "inspections".

Here, not in the inspections app: the pages show an inspection's recommendations as each person may see them
(permissions.py), so they sit above the recommendations app, as tests/test_import_graph.py layers the apps.
"""

from django.urls import path

from recommendations.views import inspections

app_name = "inspections"

urlpatterns = [
    path("", inspections.inspection_list, name="list"),
    path("<int:pk>/", inspections.inspection_detail, name="detail"),
]
