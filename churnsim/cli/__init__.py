"""The command line: `churnsim` and its subcommands, and bad input as one line with exit code 2."""
