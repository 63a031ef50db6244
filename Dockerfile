# syntax=docker/dockerfile:1
#
# The runner builds this image for every job that uses the action, so it stays small: a
# static Go binary and a CA bundle on an empty filesystem. No USER line: container actions
# must run as root to write the runner's file-command files (the binary hands the files it
# leaves for later steps to the home mount's owner itself).
#
# Base images are pinned by exact version; Dependabot (.github/dependabot.yml) adds and bumps
# their digests, since no digest is written here that has not been verified.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY main.go ./
COPY internal/ internal/
# Same flags as e2e/internal/harness: static, stripped, reproducible.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -buildid=" -o /out/oidc-login . \
 && ln -s oidc-login /out/oidc-login-post \
 && mkdir -p /out/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt

FROM scratch
COPY --from=build /out/ /
# Exec form: a shell would drop the INPUT_* variables whose names contain hyphens.
ENTRYPOINT ["/oidc-login"]
