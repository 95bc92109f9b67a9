# The facade as one image: `docker build -t smsc-facade .` then
#   docker run -p 8000:8000 -v facade-data:/var/lib/facade \
#     -e SMSC_LOGIN_FILE=/run/secrets/smsc_login -e SMSC_PASSWORD_FILE=/run/secrets/smsc_password ...
# With no credentials it serves the embedded emulator (sandbox mode), like `make run`.

# GraphiQL's and Swagger UI's files, pinned by graphiql/ and docs-ui/package-lock.json and
# checked against their SRI hashes when the package's build copies them in (setup.py).
FROM node:22-bookworm-slim AS graphiql
WORKDIR /build
COPY graphiql/package.json graphiql/package-lock.json graphiql/.npmrc ./graphiql/
COPY docs-ui/package.json docs-ui/package-lock.json docs-ui/.npmrc ./docs-ui/
RUN npm ci --prefix graphiql --no-audit --no-fund --ignore-scripts \
    && npm ci --prefix docs-ui --no-audit --no-fund --ignore-scripts

# The package and its dependencies, at the versions of constraints.txt, in a virtualenv.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python -m venv /opt/facade
COPY pyproject.toml setup.py MANIFEST.in constraints.txt README.md ./
COPY facade ./facade
COPY --from=graphiql /build/graphiql/node_modules ./graphiql/node_modules
COPY --from=graphiql /build/docs-ui/node_modules ./docs-ui/node_modules
RUN /opt/facade/bin/pip install --constraint constraints.txt . \
    && /opt/facade/bin/python -I -c \
    'from facade import vendored; assert not any(b.missing() for b in vendored.BUNDLES)'

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/facade --create-home facade
COPY --from=build /opt/facade /opt/facade
ENV PATH=/opt/facade/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FACADE_DATA_DIR=/var/lib/facade \
    FACADE_LOG_FORMAT=json
USER 10001:10001
WORKDIR /var/lib/facade
VOLUME ["/var/lib/facade"]
EXPOSE 8000
# /healthz: the process is alive. No curl in the slim image: the interpreter asks.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
STOPSIGNAL SIGTERM
CMD ["facade", "serve", "--host", "0.0.0.0", "--port", "8000"]
