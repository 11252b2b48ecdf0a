"""The config: its schema (:mod:`.schema`), its loader (:mod:`.loader`, reading the
YAML node tree with :mod:`.nodes`) and the example that `rsspress init` writes."""

from rsspress.config.example import EXAMPLE_CONFIG
from rsspress.config.loader import MISSING_KEY, TOP_KEYS, builtin_rules, load_config, parse_config
from rsspress.config.nodes import ConfigError, parse_networks, valid_selector
from rsspress.config.schema import (
    DEFAULT_USER_AGENT,
    FILTER_FIELDS,
    FORMATS,
    POSTGRES_SCHEMES,
    REWRITE_MODES,
    CleanupRule,
    Config,
    ContentConfig,
    DaemonConfig,
    FeedConfig,
    FetchConfig,
    FilterRule,
    ImagesConfig,
    OutputConfig,
    Pattern,
    RetentionConfig,
    is_postgres,
)

__all__ = [
    "DEFAULT_USER_AGENT",
    "EXAMPLE_CONFIG",
    "FILTER_FIELDS",
    "FORMATS",
    "MISSING_KEY",
    "POSTGRES_SCHEMES",
    "REWRITE_MODES",
    "TOP_KEYS",
    "CleanupRule",
    "Config",
    "ConfigError",
    "ContentConfig",
    "DaemonConfig",
    "FeedConfig",
    "FetchConfig",
    "FilterRule",
    "ImagesConfig",
    "OutputConfig",
    "Pattern",
    "RetentionConfig",
    "builtin_rules",
    "is_postgres",
    "load_config",
    "parse_config",
    "parse_networks",
    "valid_selector",
]
