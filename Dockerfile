# c5mesh node. The data folder (keys, roster, LevelDB store) is a volume: it outlives the
# container. First run makes a development identity and roster in it; a real deployment
# mounts a folder prepared with `c5mesh init --org MX-XXX` and the national roster.
#
#   docker build -t c5mesh .
#   docker run -v c5mesh-data:/data -p 4370:4370 -p 4371:4371 c5mesh
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production C5MESH_DATA=/data C5MESH_API_HOST=127.0.0.1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 4370 libp2p TCP, 4371 libp2p WebSockets; the API (4380) stays on loopback inside.
EXPOSE 4370 4371
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/c5mesh.js"]
CMD ["start"]
