"""Thin Celery tasks: they call plain Python (recommendations/figures_refresh.py, recurrence.py), which holds the
logic."""

from celery import shared_task

from recommendations import figures_refresh, recurrence


@shared_task(name="recommendations.refresh_figures", ignore_result=True)
def refresh_figures() -> int:
    """Beat runs this every FIGURES_REFRESH_SECONDS (config/celery.py). Harmless to run twice."""
    return figures_refresh.refresh_figures()


@shared_task(name="recommendations.share_comparison_keys", ignore_result=True)
def share_comparison_keys() -> int:
    """Beat runs this every COMPARISON_KEYS_SHARE_SECONDS (config/celery.py). Harmless to run twice."""
    return recurrence.share_keys()
