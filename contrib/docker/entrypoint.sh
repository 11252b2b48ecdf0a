#!/bin/sh
# The container's entry: a starter config in /data when there is none, then rsspress.
#
#   rsspress-entrypoint daemon|run|proxy|build|status|…   runs `rsspress …`
#   rsspress-entrypoint healthcheck                       exits 0 when the service answers
#   rsspress-entrypoint anything else                     runs it as it is (a shell, say)
set -eu

config="${RSSPRESS_CONFIG:-/data/rsspress.yaml}"
starter="${RSSPRESS_STARTER_CONFIG:-/usr/local/share/rsspress/rsspress.yaml}"

if [ "${1:-}" = healthcheck ]; then
    # The daemon serves /metrics on daemon.metrics_listen (127.0.0.1:9464 by default);
    # the proxy sets RSSPRESS_HEALTH_URL to its /healthz.
    exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).close()' \
        "${RSSPRESS_HEALTH_URL:-http://127.0.0.1:9464/metrics}"
fi

if [ ! -e "$config" ]; then
    # Two services start at once on the same volume: the config appears whole, once.
    mkdir -p "$(dirname "$config")"
    partial="$config.$$.new"
    cp "$starter" "$partial"
    if ln "$partial" "$config" 2>/dev/null; then
        echo "rsspress: wrote a starter config to $config; edit its feeds (docker compose restart picks it up)" >&2
    fi
    rm -f "$partial"
fi

case "${1:-}" in
    daemon | run | proxy | build | serve | status | import | export | init | --help | --version)
        exec rsspress "$@" ;;
esac
exec "$@"
