"""What this programme plugs into the shared core at start-up: its workflow, case-page panels, dashboard
widgets, booking checks and access rules."""


def register() -> None:
    """Called once from `AppConfig.ready()`."""
