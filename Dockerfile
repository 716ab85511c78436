# Anbefal in a container: the collector under gunicorn with the shipped
# settings, the SQLite database on a volume. The steps are the README's
# (see "Deployment"): install with pip, run the documented gunicorn line.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN pip install .

# A user of its own, who owns nothing but the database's folder.
RUN useradd --system --uid 10001 --no-create-home --home-dir /data anbefal \
    && mkdir -p /data && chown anbefal:anbefal /data
USER anbefal
WORKDIR /data

ENV ANBEFAL_DB=/data/anbefal.db
VOLUME /data
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# More workers: docker run -e GUNICORN_CMD_ARGS="--workers 4" ...
CMD ["gunicorn", "-c", "python:collector.gunicorn_conf", "--bind", "0.0.0.0:8000", "collector:create_app()"]
