# Deelbaar's production image: the ASGI web server by default; the same image runs the Celery
# worker (see docker-compose.yml). All configuration comes from the environment at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=deelbaar.settings \
    DEELBAAR_DATA_DIR=/data \
    STATIC_ROOT=/app/static

# GitPython drives the git binary.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

# Install the distribution from a throwaway source folder, so that at run time the apps are
# imported from site-packages only. platform/ is a source root and never gets an __init__.py.
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY platform/ platform/
COPY sprints/ sprints/
COPY solutions/ solutions/
COPY integrations/ integrations/
RUN pip install -c constraints.txt . \
    && cd / \
    && rm -rf /src

WORKDIR /app

# Static files are collected into the image (read-only for the app user). The settings refuse
# to start with DEBUG off and no SECRET_KEY, so this step gets a throwaway one of its own.
RUN SECRET_KEY=collectstatic-at-build-time-only DEBUG=false \
    deelbaar collectstatic --noinput

RUN useradd --create-home --uid 1000 --user-group deelbaar \
    && mkdir -p /data \
    && chown deelbaar:deelbaar /data

USER deelbaar

EXPOSE 8000

CMD ["uvicorn", "deelbaar.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--forwarded-allow-ips=*"]
