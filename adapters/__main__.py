"""``python -m adapters``: the ``wildside`` command (``wildside dev`` starts its children so)."""

from adapters.entrypoint import main

main()
