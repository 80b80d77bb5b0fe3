# Skein in a container: `docker compose up` (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /skein
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY protocol protocol
COPY src src
COPY bench bench
COPY config config
RUN npm run build && npm prune --omit=dev
VOLUME /data
ENTRYPOINT ["node", "dist/src/cli/main.js"]
