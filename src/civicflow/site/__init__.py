"""The Django project that hosts CivicFlow's adapters (runtime, API, portal, workbench)."""
