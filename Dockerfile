# syntax=docker/dockerfile:1
# Build: docker build -t panelbot .
# Run:   docker run --rm --env-file .env panelbot
FROM docker.io/library/golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no libc needed in the final image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bot ./cmd/bot
# The data directory, made here because the final image has no shell.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="panelbot" \
      org.opencontainers.image.description="A self-hosted Discord bot to see and control game servers on Pterodactyl, Pelican, zampto, ServerPrism and Shardlyn panels" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /out/bot /bot
# The store (panelbot.db) and the relay's spill files: a volume owned by
# distroless's nonroot user (uid 65532), so they outlive the container.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data
VOLUME /data
USER nonroot:nonroot
# /healthz and /metrics on the container's loopback, so the HEALTHCHECK works
# out of the box; set METRICS_ADDR=0.0.0.0:9090 (and publish the port) to
# scrape from outside. The image has no shell or curl: the bot asks itself.
ENV METRICS_ADDR=127.0.0.1:9090
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/bot", "health"]
ENTRYPOINT ["/bot"]
CMD ["run"]
