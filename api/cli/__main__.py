"""`python -m api.cli` runs the `twin` command."""

from api.cli.main import main

main()
