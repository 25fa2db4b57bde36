"""Load the form-js files under data/."""

from pathlib import Path

from civicflow.forms import Form, load_form

DATA = Path(__file__).parent / "data"


def form(name: str) -> Form:
    return load_form((DATA / name).read_text(encoding="utf-8"))
