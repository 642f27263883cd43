"""The command line: thin Typer modules that parse, call one service and render."""
