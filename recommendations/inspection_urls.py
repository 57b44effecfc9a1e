"""The inspection list and an inspection's page, under /inspections/ and the URL namespace "inspections".

Here, not in the inspections app: the pages show an inspection's recommendations as each person may see them
(permissions.py), so they sit above the recommendations app, as tests/test_import_graph.py layers the apps.
"""

from django.urls import path

from recommendations.views import action_plans, inspections

app_name = "inspections"

urlpatterns = [
    path("", inspections.inspection_list, name="list"),
    path("<int:pk>/", inspections.inspection_detail, name="detail"),
    path("<int:pk>/action-plan/", action_plans.inspection_plan, name="action_plan"),
    path("<int:pk>/action-plan.docx", action_plans.inspection_plan_docx, name="action_plan_docx"),
    path("<int:pk>/action-plan.xlsx", action_plans.inspection_plan_xlsx, name="action_plan_xlsx"),
]
