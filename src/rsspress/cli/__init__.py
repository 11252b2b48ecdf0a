"""The ``rsspress`` command. Thin: it parses arguments, calls the library, shows results.

Exit codes (rsspress.exits): 0 all well; 1 some feeds failed or are still failing (the
others were published); 2 bad config or usage (nothing ran), including another run
holding the state; 3 every feed failed; 130 interrupted (what was written is kept).

Messages go to stderr as plain text (soft-wrapped: a pipe or a log gets whole lines),
and every value in them is escaped, so that no word in brackets is taken for markup.

``app`` holds the command group and ``main``; each other module holds the commands
of one job (setting up, running, the site, the long-running services, status).
"""

from rsspress.cli.app import cli, main

__all__ = ["cli", "main"]
