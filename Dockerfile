# syntax=docker/dockerfile:1.7
# One image for every role (ROLE=manager|worker|streamer|all), built for linux/amd64 and linux/arm64:
#   docker buildx build --platform linux/amd64,linux/arm64 -t streamvault:latest --push .

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# yt-dlp from PyPI, not Debian's (bookworm's is 2023.03 and sites break old ones within weeks): the
# version and sha256 pinned in deploy/yt-dlp/requirements.txt, one pure-Python wheel for every arch,
# in a virtualenv of its own. pip stays in this stage; the runtime gets the virtualenv only.
FROM ${NODE_IMAGE} AS ytdlp
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-venv \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/yt-dlp/requirements.txt /tmp/yt-dlp-requirements.txt
RUN python3 -m venv /opt/yt-dlp \
 && /opt/yt-dlp/bin/pip install --no-cache-dir --disable-pip-version-check \
      --require-hashes --no-deps --only-binary=:all: -r /tmp/yt-dlp-requirements.txt \
 && /opt/yt-dlp/bin/pip uninstall --yes pip setuptools

FROM ${NODE_IMAGE} AS runtime
# Runtime tools the worker drives (ffmpeg/ffprobe, aria2c, bsdtar for zip/tar/7z/rar packs, yt-dlp on
# python3); tini reaps their process groups. python3 also runs a yt-dlp an operator drops into the data
# volume (YTDLP_PATH).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg aria2 libarchive-tools p7zip-full poppler-utils python3 tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# After the apt layer, so a yt-dlp bump rebuilds only this; the build fails here if it cannot run.
COPY --from=ytdlp /opt/yt-dlp /opt/yt-dlp
RUN ln -s /opt/yt-dlp/bin/yt-dlp /usr/local/bin/yt-dlp \
 && yt-dlp --version
# UV_THREADPOOL_SIZE: a streamer's file opens and reads run on libuv's pool (4 threads by default);
# with hundreds of viewers a read would queue behind the others.
ENV NODE_ENV=production \
    ROLE=all \
    PORT=8080 \
    DATA_DIR=/data \
    UV_THREADPOOL_SIZE=16
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node views ./views
# `npm run reindex` / `npm run seed` (scripts/library-command.mjs) run dist/cli here.
COPY --chown=node:node scripts/library-command.mjs ./scripts/
COPY --chown=node:node scripts/lib ./scripts/lib
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
