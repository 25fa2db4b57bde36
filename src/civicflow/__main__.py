"""``python -m civicflow``: the ``civicflow`` command."""

from civicflow.cli.app import main

main()
