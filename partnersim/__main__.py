"""``python -m partnersim``: the same as the ``partnersim`` command."""

from partnersim.cli import main

main()
