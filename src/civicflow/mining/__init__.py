"""civicflow.mining."""

__all__: list[str] = []
