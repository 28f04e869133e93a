# Builds a small image with only the returnsbot binary. Used by docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /returnsbot ./cmd/returnsbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /returnsbot /returnsbot
ENTRYPOINT ["/returnsbot"]
CMD ["serve"]
