# Skein in a container. `docker run -p 9092:9092 -p 2181:2181 skein` runs a whole node (ZooKeeper and a
# Kafka broker) that a client on the host reaches at localhost:9092; docker-compose.yml runs a cluster.
# Set SKEIN_ADVERTISED_HOST to the name clients use when that is not localhost (another container: the
# service name). Settings: KAFKA_CFG_<KEY>, ZOO_CFG_<KEY>, SKEIN_* (README "Configuration").

# Build stage: dev dependencies and the TypeScript compiler, thrown away with it.
FROM node:20-bookworm-slim AS build
WORKDIR /skein
COPY package.json package-lock.json tsconfig.json tsconfig.build.json tsconfig.image.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY protocol protocol
COPY src src
COPY console console
# Only what the image ships: the bench tools (tsconfig.build.json) import test helpers.
RUN node_modules/.bin/tsc -p tsconfig.image.json && node_modules/.bin/vite build --config console/vite.config.ts

# The image: production dependencies and the compiled JavaScript only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /skein
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /skein/dist/src dist/src
COPY --from=build /skein/dist/protocol dist/protocol
COPY --from=build /skein/dist/console dist/console
COPY config config
# The image's user `node` (uid 1000) owns the data; a named volume starts as a copy of this directory.
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
# Reachable from outside the container: listen on every interface, advertise what the host publishes.
ENV SKEIN_DATA_DIR=/data \
    SKEIN_HOST=0.0.0.0 \
    SKEIN_ADVERTISED_HOST=localhost \
    SKEIN_LOG_FORMAT=json
# Kafka, ZooKeeper, HTTP (/metrics, /healthz).
EXPOSE 9092 2181 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "dist/src/cli/healthcheck.js"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start"]
