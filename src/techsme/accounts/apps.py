from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "techsme.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from techsme.accounts.recipients import agency_emails, member_emails
        from techsme.core.recipients import register_recipients

        register_recipients(members=member_emails, agency=agency_emails)

        from axes.signals import user_locked_out

        from techsme.accounts.signin import on_locked_out

        user_locked_out.connect(on_locked_out, dispatch_uid="techsme.accounts.unlock_mail")
