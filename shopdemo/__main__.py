"""`python -m shopdemo` runs the same command line as the `shopdemo` script."""

from shopdemo.cli import main

raise SystemExit(main())
