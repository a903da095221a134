# One slim, non-root image for every Flare process: listen, worker, bot.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY rules ./rules
COPY flare ./flare
COPY workers ./workers
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 flare
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER flare
WORKDIR /home/flare
ENV FLARE_DATA_DIR=/home/flare/data PYTHONUNBUFFERED=1
EXPOSE 3000
ENTRYPOINT ["flare"]
CMD ["--help"]
