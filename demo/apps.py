from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the demo company is loaded through the other apps' services."""

    name = "demo"
