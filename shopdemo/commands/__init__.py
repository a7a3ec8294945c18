"""One module per sub-command; each has NAME, HELP, add_arguments(parser) and run(args)."""

from shopdemo.commands import (
    app,
    catalog,
    evaluate,
    export,
    import_,
    recommend,
    simulate,
    snapshot,
    train,
)

COMMANDS = [app, catalog, simulate, import_, export, train, evaluate, recommend, snapshot]
