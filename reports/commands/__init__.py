"""One module per `gradverify` subcommand, each with `add_parser(subparsers)` and `run(args) -> int`."""
