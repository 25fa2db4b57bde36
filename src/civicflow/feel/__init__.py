"""civicflow.feel."""

__all__: list[str] = []
