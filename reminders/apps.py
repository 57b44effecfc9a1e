from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Email reminders"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from reminders.signals import notification_saved

        post_save.connect(
            notification_saved, sender="recommendations.Notification", dispatch_uid="reminders.notification_saved"
        )
