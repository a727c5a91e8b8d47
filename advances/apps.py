from django.apps import AppConfig


class AdvancesConfig(AppConfig):
    name = "advances"
    verbose_name = "前払金の書類"
