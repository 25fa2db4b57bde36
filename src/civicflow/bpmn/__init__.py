"""civicflow.bpmn."""

__all__: list[str] = []
