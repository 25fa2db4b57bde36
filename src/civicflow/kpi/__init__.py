"""civicflow.kpi."""

__all__: list[str] = []
