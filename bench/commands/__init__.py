"""One module per ``python -m bench`` command, each with ``HELP``, ``add_arguments(parser)`` and ``run(args)``;
``bench.cli.COMMANDS`` lists them. ``run`` imports its machinery when called, so ``--help`` stays quick."""
