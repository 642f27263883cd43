"""`python -m arctl` runs the same CLI as the `arctl` console script."""

from arctl.cli.main import run

run()
