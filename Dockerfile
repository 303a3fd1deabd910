# syntax=docker/dockerfile:1
# confab: a release build in a Rust image, run from a slim Debian image as a
# non-root user. Build with `docker build -t confab .` or `docker compose build`.

FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY . .
# The caches keep crates.io downloads and compiled dependencies between builds; the
# binary is copied out in the same step because the target cache is not in the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p confab \
    && cp target/release/confab /usr/local/bin/confab

FROM debian:bookworm-slim
# curl for the HEALTHCHECK below; ca-certificates so curl and other tools can verify TLS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/confab confab
COPY --from=builder /usr/local/bin/confab /usr/local/bin/confab
USER confab
# The default DATABASE_URL (sqlite://confab.db?mode=rwc) is relative to this directory,
# so a container without PostgreSQL keeps its SQLite file on the volume.
WORKDIR /var/lib/confab
VOLUME ["/var/lib/confab"]
ENV CONFAB_BIND=0.0.0.0:8080 \
    CONFAB_LOG_FORMAT=json \
    RUST_LOG=info
EXPOSE 8080
# Liveness only; orchestrators should use /ready for readiness (database reachable).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
# confab handles SIGTERM itself (graceful shutdown), so it runs as PID 1 directly.
ENTRYPOINT ["confab"]
CMD ["serve"]
