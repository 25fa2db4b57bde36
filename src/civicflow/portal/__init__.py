"""civicflow.portal."""

__all__: list[str] = []
