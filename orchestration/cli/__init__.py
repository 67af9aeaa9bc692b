"""The provider-view command: argument parsing and commands (commands.py), and what they
print (summary, check_report, report). It runs the same Dagster job in process."""

from orchestration.cli.commands import main

__all__ = ["main"]
