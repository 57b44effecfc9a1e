from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from recommendations.kept_records import watch_for_changes  # models are loaded only now

        watch_for_changes()

        # Every save of a recommendation writes a history row: a new owner or a decided closure is told from it.
        from simple_history.signals import post_create_historical_record

        from recommendations.models import Recommendation
        from recommendations.notifications import history_written

        post_create_historical_record.connect(
            history_written, sender=Recommendation.history.model, dispatch_uid="recommendations.history_written"
        )
