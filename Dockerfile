# syntax=docker/dockerfile:1
# fayuan API image: a static Go binary on a small Alpine base, running as a non-root user.
#   docker build -t fayuan .
#   docker run -p 8080:8080 -v fayuan-data:/data fayuan     # SQLite under /data; see docker-compose.yml for MySQL

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/fayuan .

FROM alpine:3.22
# ca-certificates: the WeChat API is called over HTTPS. wget (busybox) serves the health check.
RUN apk add --no-cache ca-certificates \
 && addgroup -S -g 10001 fayuan \
 && adduser -S -D -H -u 10001 -G fayuan -s /sbin/nologin fayuan \
 && mkdir -p /data /app/config \
 && chown fayuan:fayuan /data
COPY --from=build /out/fayuan /usr/local/bin/fayuan
# The server looks for config/config.yaml relative to here: mount one at /app/config/config.yaml,
# or (simpler) set FAYUAN_* variables.
WORKDIR /app
ENV FAYUAN_ADDR=:8080 \
    FAYUAN_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD wget -qO- http://127.0.0.1:8080/readyz >/dev/null || exit 1
ENTRYPOINT ["/usr/local/bin/fayuan"]
