"""rsspress: mirror RSS, Atom and JSON feeds into a static news site."""

__version__ = "0.1.0"
