"""A first-class RSSHub client: routes on several instances, access codes, route errors.

- :mod:`.routes`: a route and its URL on each instance, RSSHub's own parameters, the
  per-route access code (pure).
- :mod:`.settings`: the ``rsshub:`` section of the config and a feed's ``rsshub:`` options.
- :mod:`.answers`: what an instance's answer means: its error page, whether it is a feed,
  whether the instance or only the route failed (pure).
- :mod:`.health`: which instance to try next, and how long a failed one rests (pure).
- :mod:`.fetching`: the fetcher that falls over from one instance to the next.
- :mod:`.state`: what the state keeps: per-instance validators, who served each feed,
  each instance's health.

Nothing here imports the fetcher at package import time: :mod:`rsspress.config` imports
:mod:`.routes` and :mod:`.settings`, and the fetcher imports the config.
"""
