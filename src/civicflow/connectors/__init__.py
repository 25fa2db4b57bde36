"""civicflow.connectors."""

__all__: list[str] = []
