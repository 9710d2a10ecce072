# Build stage: compile the release binary against libpq.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/rallypost

# Runtime stage: the binary, its campaign files, libpq and CA certificates.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --create-home --home-dir /var/lib/rallypost rallypost
COPY --from=build /src/target/release/rallypost /usr/local/bin/rallypost
COPY campaigns /etc/rallypost/campaigns
ENV RALLYPOST_CAMPAIGNS_DIR=/etc/rallypost/campaigns RALLYPOST_DATA_DIR=/var/lib/rallypost
USER rallypost
EXPOSE 8080
ENTRYPOINT ["rallypost"]
CMD ["serve"]
