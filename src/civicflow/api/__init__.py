"""civicflow.api."""

__all__: list[str] = []
