"""Files that run rsspress somewhere else: a GitHub Actions workflow, systemd units.

``rsspress init --github-actions`` and ``rsspress init --systemd`` call
:func:`deployment`; ``files`` renders and writes the templates, ``github`` and
``systemd`` say what goes in them, ``example`` is the config ``rsspress init`` writes.
"""

from rsspress.scaffold.files import (
    Scaffold,
    ScaffoldError,
    deployment,
    no_control_characters,
    render,
    unit_path,
    unit_value,
    unit_word,
    write_scaffold,
    yaml_string,
)

__all__ = [
    "Scaffold",
    "ScaffoldError",
    "deployment",
    "no_control_characters",
    "render",
    "unit_path",
    "unit_value",
    "unit_word",
    "write_scaffold",
    "yaml_string",
]
