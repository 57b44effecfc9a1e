"""Thin Celery tasks: they call plain Python (recommendations/figures_refresh.py), which holds the logic."""

from celery import shared_task

from recommendations import figures_refresh


@shared_task(name="recommendations.refresh_figures", ignore_result=True)
def refresh_figures() -> int:
    """Beat runs this every FIGURES_REFRESH_SECONDS (config/celery.py). Harmless to run twice."""
    return figures_refresh.refresh_figures()
