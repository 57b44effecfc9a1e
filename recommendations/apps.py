from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from recommendations.public_cache import watch_for_public_changes  # models are loaded only now

        watch_for_public_changes()
