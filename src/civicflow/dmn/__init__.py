"""civicflow.dmn."""

__all__: list[str] = []
