# syntax=docker/dockerfile:1
# Keepgate gateway image: a builder stage makes a virtualenv, a slim runtime stage runs it
# as a non-root user on a read-only root filesystem (only /tmp needs to be writable).
#
#   docker build -t keepgate/keepgate:0.1.0 .
#   docker build --build-arg SPACY_MODEL=en_core_web_sm -t keepgate/keepgate:0.1.0-ner .
#   docker run --rm -p 4000:4000 keepgate/keepgate:0.1.0          # demo mode, fake model
#   docker run --rm -v $PWD/keepgate.yaml:/etc/keepgate/keepgate.yaml:ro -p 4000:4000 \
#     keepgate/keepgate:0.1.0 serve --host 0.0.0.0 --port 4000 --config /etc/keepgate/keepgate.yaml

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
# Dependencies first, from the lock (exact versions, hashes checked), so this slow layer
# stays cached while only the code changes; then the package itself, built as a wheel and
# installed like any other (not editable: the image carries no source tree the venv points
# into). `--no-deps` resolves nothing; `--no-build-isolation` builds with the locked
# setuptools instead of fetching an unpinned one. rules/ and policies/ are copied beside
# keepgate/ so its bundled/ symlinks resolve and the wheel carries the default rule packs,
# classifier artefacts and policies (package-data in pyproject.toml).
COPY requirements-runtime.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY keepgate/ keepgate/
COPY rules/ rules/
COPY policies/ policies/
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
 && python -I -c "import keepgate.input_guards.config as c; assert c.DEFAULT_CLASSIFIER.is_file(), c.DEFAULT_CLASSIFIER; assert '/opt/venv/' in c.__file__, c.__file__"
# Optional spaCy NER model for the PII guard (instead of the small one shipped in the
# package; select it with guards.pii.nlp_model or the chart value pii.nlpModel): a model name
# (`en_core_web_sm`, fetched by `spacy download`) or a pip requirement (wheel URL or path).
ARG SPACY_MODEL=""
# The model spec is the builder's argument, pinned by whoever passes it (DL3013).
# hadolint ignore=DL3013
RUN if [ -n "${SPACY_MODEL}" ]; then \
      case "${SPACY_MODEL}" in \
        *://*|*.whl|*/*) pip install --no-cache-dir "${SPACY_MODEL}" ;; \
        *) python -m spacy download "${SPACY_MODEL}" ;; \
      esac; \
    fi

FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="keepgate" \
      org.opencontainers.image.description="Guardrail gateway for AI agents (OpenAI-compatible proxy)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 keepgate \
 && useradd --system --uid 10001 --gid keepgate --no-create-home \
      --home-dir /tmp --shell /usr/sbin/nologin keepgate
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="" \
    LITELLM_LOG=ERROR
COPY --from=builder /opt/venv /opt/venv
# The installed package holds its own copy of rules/ and policies/ (with the classifier
# artefacts, which no ConfigMap carries): what the gateway uses when the chart's mounts are
# off. /app is only the working directory (a ./keepgate.yaml there is read, as anywhere).
WORKDIR /app
USER 10001:10001
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4000/healthz', timeout=2)"]
ENTRYPOINT ["keepgate"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4000"]
