# The runner builds this image for every job that uses the action, so it stays small: a
# static Go binary and a CA bundle on an empty filesystem. No USER line: container actions
# must run as root to write the runner's file-command files (the binary hands the files it
# leaves for later steps to the home mount's owner itself).
#
# The build image is pinned by exact version; pin its digest once it is verified (Dependabot,
# .github/dependabot.yml, keeps a pinned digest current). Releases do not build this file on
# the runner at all: release.yml points action.yml at the pushed image by digest.

# The build stage runs on the builder's own platform and cross-compiles, so a multi-arch
# release never builds under emulation.
FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY main.go ./
COPY internal/ internal/
# Same flags as e2e/internal/harness: static, stripped, reproducible.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w -buildid=" -o /out/oidc-login . \
 && ln -s oidc-login /out/oidc-login-post \
 && mkdir -p /out/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt

FROM scratch
COPY --from=build /out/ /
# Exec form: a shell would drop the INPUT_* variables whose names contain hyphens.
ENTRYPOINT ["/oidc-login"]
