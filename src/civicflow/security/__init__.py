"""civicflow.security."""

__all__: list[str] = []
