# rsspress in a container: the daemon by default, the image proxy as a second service
# (docker-compose.yml runs both beside RSSHub and a web server). Everything it keeps, the
# config, the state and the site, lives in the volume /data.
#
#   docker build -t rsspress .
#   docker run -v rsspress:/data rsspress          # writes a starter /data/rsspress.yaml
#   docker run -v rsspress:/data rsspress run      # any rsspress command
ARG PYTHON_IMAGE=python:3.12-slim-bookworm
FROM ${PYTHON_IMAGE}
# A build without PyPI takes wheels from a folder in the context instead:
#   --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/src/wheels (src/wheels here)
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS

# One layer for the installation, in a virtual environment of its own.
COPY pyproject.toml README.md /src/
COPY src /src/src
RUN python3 -m venv /opt/rsspress \
    && /opt/rsspress/bin/pip install --no-cache-dir --disable-pip-version-check '/src[postgresql]' \
    && rm -rf /src

COPY contrib/docker/entrypoint.sh /usr/local/bin/rsspress-entrypoint
COPY contrib/docker/rsspress.yaml /usr/local/share/rsspress/rsspress.yaml

# A user of its own, never root; /data is its home and the one place it writes.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin rsspress \
    && mkdir -p /data/site \
    && chown -R rsspress:rsspress /data

ENV PATH=/opt/rsspress/bin:$PATH \
    RSSPRESS_CONFIG=/data/rsspress.yaml \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# The daemon's /metrics (daemon.metrics_listen) and the proxy's port.
EXPOSE 9464 8081

# The daemon answers on its metrics listener; the proxy service points this at /healthz.
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s --retries=3 \
    CMD ["rsspress-entrypoint", "healthcheck"]
ENTRYPOINT ["rsspress-entrypoint"]
CMD ["daemon"]
