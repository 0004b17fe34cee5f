# syntax=docker/dockerfile:1
# Build: docker build -t panelbot .
# Run:   docker run --rm --env-file .env panelbot
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no libc needed in the final image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bot ./cmd/bot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bot /bot
# distroless's nonroot user (uid 65532); the bot needs no file system access.
USER nonroot:nonroot
ENTRYPOINT ["/bot"]
CMD ["run"]
