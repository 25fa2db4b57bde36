"""Template tags of the shared page templates."""
