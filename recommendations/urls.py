from django.urls import path

from recommendations.views import (
    action_plans,
    changes,
    dashboard,
    detail,
    lists,
    notifications,
    recurring,
    regions,
    rounds,
)

app_name = "recommendations"

urlpatterns = [
    path("", lists.home, name="home"),
    path("my-actions/", lists.my_actions, name="my_actions"),
    path("recommendations/", lists.recommendation_list, name="list"),
    path("recommendations/export.csv", lists.export_csv, name="export_csv"),
    path("recommendations/export.xlsx", lists.export_xlsx, name="export_xlsx"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/figures/<slug:table>.csv", regions.dashboard_figures, name="dashboard_figures"),
    path("recurring/", recurring.recurring_recommendations, name="recurring"),
    # A region's action plan sits under /regions/, beside the region's own pages (which are not this app's).
    path("regions/<int:pk>/action-plan/", action_plans.region_plan, name="region_action_plan"),
    path("regions/<int:pk>/action-plan.docx", action_plans.region_plan_docx, name="region_action_plan_docx"),
    path("regions/<int:pk>/action-plan.xlsx", action_plans.region_plan_xlsx, name="region_action_plan_xlsx"),
    path("recurring/suggestions/<int:pk>/decide/", recurring.decide_repeat, name="decide_repeat"),
    # Rates, ageing and outcomes: recommendations/views/regions.py (a region's action plan pages are not here).
    path("regions/", regions.region_list, name="regions"),
    path("regions/national/", regions.national, name="national"),
    path("regions/national/figures/<slug:table>.csv", regions.national_figures, name="national_figures"),
    path("regions/<int:pk>/", regions.region_detail, name="region"),
    path("regions/<int:pk>/figures/<slug:table>.csv", regions.region_figures, name="region_figures"),
    path("whats-changed/", changes.whats_changed, name="whats_changed"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="mark_notifications_read"),
    path("notifications/<int:pk>/", notifications.open_notification, name="open_notification"),
    # Update rounds (recommendations/views/rounds.py): staff run them, each owner returns on one page.
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/new/", rounds.round_open, name="round_open"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/chase/", rounds.round_chase, name="round_chase"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="round_close"),
    path("rounds/<int:pk>/update/", rounds.round_update, name="round_update"),
    # --- The recommendation detail page and its POST actions (recommendations/views/detail.py) go below. ---
    # Every route added here is picked up by tests/pages/test_permission_matrix.py, which fails until the route
    # has an entry in its EXPECTATIONS table (who gets 200/403/404 and, for POSTs, that nothing changed).
    path("recommendations/<int:pk>/", detail.recommendation_detail, name="detail"),
    path("recommendations/<int:pk>/response/", detail.record_response, name="record_response"),
    path("recommendations/<int:pk>/progress/", detail.add_progress_update, name="add_progress_update"),
    path("recommendations/<int:pk>/actions/", detail.add_action, name="add_action"),
    path("recommendations/<int:pk>/actions/<int:item_pk>/complete/", detail.complete_action, name="complete_action"),
    path("recommendations/<int:pk>/target-date-request/", detail.request_target_date, name="request_target_date"),
    path(
        "recommendations/<int:pk>/target-date-requests/<int:req_pk>/decide/",
        detail.decide_target_date,
        name="decide_target_date",
    ),
    path("recommendations/<int:pk>/follow-up/", detail.record_follow_up, name="record_follow_up"),
    path("recommendations/<int:pk>/judgement/", detail.set_judgement, name="set_judgement"),
    path("recommendations/<int:pk>/workflow/", detail.change_status, name="change_status"),
    path("recommendations/<int:pk>/owner/", detail.assign_owner, name="assign_owner"),
    path("recommendations/<int:pk>/evidence/<int:update_pk>/", detail.evidence_file, name="evidence_file"),
]
