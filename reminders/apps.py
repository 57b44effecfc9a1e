from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Email reminders"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from recommendations.notifications import notifications_recorded
        from reminders.signals import many_notifications_recorded, notification_saved

        post_save.connect(
            notification_saved, sender="recommendations.Notification", dispatch_uid="reminders.notification_saved"
        )
        notifications_recorded.connect(many_notifications_recorded, dispatch_uid="reminders.notifications_recorded")
