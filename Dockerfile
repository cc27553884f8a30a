# Latchkey: one Node container. Build and runtime use the same Debian (bookworm) so the native
# modules compiled in the build stage (better-sqlite3) load in the runtime stage.

FROM node:22-bookworm-slim AS build
WORKDIR /src
ENV NUXT_TELEMETRY_DISABLED=1 \
    npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false
# better-sqlite3 compiles from source (its prebuilt download host is not always reachable).
# The lockfile is written by npm 11; npm 10 (in the Node 22 image) reads it differently.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g npm@11 --no-audit --no-fund
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3 esbuild
COPY . .
RUN npx nuxt prepare && npm run build

FROM node:22-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NUXT_TELEMETRY_DISABLED=1 \
    DATABASE_URL=/data/latchkey.sqlite \
    HOST=0.0.0.0 \
    PORT=3000 \
    LATCHKEY_HOME=/app
COPY --from=build /src/.output /app/.output
COPY --from=build /src/bin/manage /usr/local/bin/manage
RUN mkdir -p /data && chown node:node /data && chmod 0755 /usr/local/bin/manage
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "/app/.output/server/index.mjs"]
