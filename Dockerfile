# c5mesh node. The data folder (keys, roster, LevelDB store) is the volume /data: it outlives
# the container. README "Running a C5's node: Docker" has the whole sequence:
#
#   docker build -t c5mesh .
#   docker run --rm -v c5mesh-data:/data c5mesh join-request --org MX-YUC --out - > join-request.json
#   docker run --rm -i -v c5mesh-data:/data c5mesh join - --yes < welcome.json
#   docker run -d --name c5mesh --restart unless-stopped -v c5mesh-data:/data -p 4370:4370 -p 4371:4371 c5mesh
#   docker exec -it c5mesh c5mesh inbox
#
# Node 24: an LTS line (maintenance until April 2028) that package.json's engines and every
# dependency support (test/package/engines.test.ts checks this file's base against them).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY bench ./bench
COPY config ./config
# npm ci builds the compiled JavaScript (prepare → scripts/build.js → dist/<key>); the
# TypeScript compiler is then no longer needed.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production C5MESH_DATA=/data C5MESH_API_HOST=127.0.0.1
COPY --from=build /app /app
# `docker exec -it c5mesh c5mesh inbox`: the CLI on the PATH, as the image's user, on /data.
RUN ln -s /app/bin/c5mesh.js /usr/local/bin/c5mesh && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 4370 libp2p TCP, 4371 libp2p WebSockets; the API (4380) stays on loopback inside.
EXPOSE 4370 4371
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/scripts/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/bin/c5mesh.js"]
CMD ["start"]
