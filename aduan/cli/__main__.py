"""``python -m aduan.cli``: the same command line as the ``aduan`` script."""

from aduan.cli.main import main

main()
