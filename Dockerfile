# The rosterflow worker (and CLI) for production; docker-compose.yml runs it beside Temporal and MongoDB.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install rather than npm ci: see tools/ensure-installed.cjs.
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
# glibc keeps memory the worker frees: an arena for each thread that allocates (zlib on libuv's pool,
# the Temporal core's threads), and large freed blocks it will not hand back. Two arenas and a fixed
# 128 KiB trim threshold hold a worker's peak at a million employees about 50 MB lower, for about 5%
# of its speed; a young generation of 2 x 4 MB instead of 2 x 16 MB takes another 20-30 MB off for about 3% (docs/operations.md,
# "Worker memory").
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    ROSTERFLOW_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
CMD ["node", "dist/worker/main.js"]
