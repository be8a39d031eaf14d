# syntax=docker/dockerfile:1
# Attest gateway image. Multi-stage: `build` installs dependencies with `npm ci` and builds the portal;
# `runtime` copies what the gateway and CLI need, runs as an unprivileged user and writes nothing outside
# /var/lib/attest (a volume) and /tmp, so it runs with a read-only root filesystem.
#   docker build -t attest .
#   docker run --read-only --tmpfs /tmp -v attest-data:/var/lib/attest -e DATABASE_URL=... -p 8080:8080 attest

FROM node:20-bookworm-slim AS build
WORKDIR /app
# node-llama-cpp ships prebuilt binaries; python3, make and g++ cover packages that compile on install.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run -s build:portal

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    ATTEST_DATA_DIR=/var/lib/attest \
    ATTEST_PORTAL_DIR=/app/apps/portal/dist
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 attest \
 && useradd --system --uid 10001 --gid attest --home-dir /var/lib/attest --shell /usr/sbin/nologin attest \
 && mkdir -p /var/lib/attest && chown attest:attest /var/lib/attest
WORKDIR /app
# The gateway runs TypeScript through scripts/run-ts.cjs (ts-node + swc, devDependencies), so node_modules is
# copied whole; a compiled build with `npm ci --omit=dev` would shrink the image (not done yet).
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/tsconfig.base.json ./
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/apps/gateway ./apps/gateway
COPY --from=build /app/apps/cli ./apps/cli
COPY --from=build /app/apps/portal/dist ./apps/portal/dist
COPY --from=build /app/libs ./libs
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/policies ./policies
COPY --from=build /app/models/builtin ./models/builtin
COPY --from=build /app/deploy/oidc-demo ./deploy/oidc-demo
USER 10001:10001
VOLUME ["/var/lib/attest"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini forwards SIGTERM so the gateway's graceful shutdown (ATTEST_SHUTDOWN_GRACE_MS) runs.
ENTRYPOINT ["/usr/bin/tini", "--"]
# Not `npm start`: that builds the portal, which a read-only root filesystem forbids; the image already holds it.
CMD ["node", "scripts/run-ts.cjs", "apps/gateway/src/main.ts"]
