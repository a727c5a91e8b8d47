from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The brochure's demo, generated data for benchmarks and the demo rate table (``seed_demo``).

    The top of the portal: it builds on every other app; no app imports it."""

    name = "demo"
