# syntax=docker/dockerfile:1
#
# eks-soc2 container image: the CLI on a distroless Node.js 24 runtime, no shell, non-root
# (uid 65532), ready for a read-only root filesystem (HOME and TMPDIR are /tmp, which the
# Kubernetes manifests mount as an emptyDir). docs/container.md: build, multi-arch, push to ECR,
# sign (cosign, AWS Signer + Notation, ECR managed signing) and verify.
#
#   docker build -t eks-soc2:0.1.0 \
#     --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#
# Base images are pinned by digest (a tag can be re-pointed, a digest cannot), with the tag beside
# it for people; when both are given, Docker pulls the digest. These are published multi-arch index
# digests (node 24.18.0 bookworm-slim; distroless nodejs24 nonroot). To move to newer ones (do it
# with every release, for the base images' security fixes):
#   docker buildx imagetools inspect node:24-bookworm-slim --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect gcr.io/distroless/nodejs24-debian12:nonroot --format '{{json .Manifest.Digest}}'
# (or `crane digest IMAGE`), then write them below or pass them with --build-arg BUILD_IMAGE=… /
# RUNTIME_IMAGE=…. A test (test/deploy/container.test.ts) refuses a base image without a digest.

ARG BUILD_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a

# ---------------------------------------------------------------------------- build
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV CI=true \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# Dependencies first, so that a source change does not re-download them. --ignore-scripts: the
# prepare script (a build) needs the sources, which are not copied yet; it runs below.
COPY package.json package-lock.json ./
COPY scripts/ ./scripts/
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
COPY bin/ ./bin/
COPY web/ ./web/
COPY schemas/ ./schemas/
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf node_modules/.cache

# ---------------------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE=https://github.com/eks-soc2/eks-soc2
LABEL org.opencontainers.image.title="eks-soc2" \
      org.opencontainers.image.description="Prove an Amazon EKS environment meets SOC 2 (Type II) controls: read-only evidence collection, evaluation, tamper-evident history, reports." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"

WORKDIR /app
# Owned by root and not writable by the runtime user: the process cannot change its own code.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/web ./web
COPY --from=build /src/schemas ./schemas
COPY LICENSE ./LICENSE

# The nonroot user of distroless images (uid/gid 65532); the manifests set the same ids.
USER 65532:65532
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp \
    XDG_DATA_HOME=/tmp \
    NO_COLOR=1 \
    AWS_STS_REGIONAL_ENDPOINTS=regional
# /tmp is the only place the process writes (besides a store volume): with `docker run --read-only`
# Docker gives this VOLUME an anonymous writable volume; in Kubernetes the manifests mount an emptyDir.
VOLUME ["/tmp"]

# The image runs the CLI: `docker run IMAGE scan --demo`, `docker run IMAGE --version`.
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/eks-soc2.mjs"]
CMD ["--help"]
