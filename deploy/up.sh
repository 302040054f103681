#!/usr/bin/env bash
# Deploy Sprocket on Docker Swarm in one command, as often as you like:
#   SPROCKET_DOMAIN=league.example.org SPROCKET_ACME_EMAIL=ops@example.org deploy/up.sh
#
# 1. Joins this host to a swarm (a one-node swarm) if it is in none, and marks a node for the
#    stateful services (their volumes live there) if none is marked.
# 2. Creates each secret that does not exist yet: random where it can be (database, cache and
#    broker passwords, the session key, the Grafana and Traefik dashboard passwords, printed
#    once), else from this script's environment (variables of the secret's name in capitals:
#    SPROCKET_DISCORD_CLIENT_SECRET, ALERTMANAGER_DISCORD_WEBHOOK_URL, ...), else blank (that
#    feature stays off). Values go through standard input, never on a command line. An existing
#    secret is never replaced: rotate one with `docker secret rm` and a new run (see README).
# 3. Names each config file by its content's digest (Swarm configs cannot change in place)
#    and deploys the stack. The API replicas migrate the database as they start, under a
#    PostgreSQL advisory lock: the first new task of a rollout migrates, the others find the
#    newest revision there. Rolling updates start the new task first, so every migration must
#    be expand-then-contract (README: "Upgrades").
#
# Managed services instead of ours: POSTGRES_REPLICAS=0 with SPROCKET_DATABASE_URL set (and the
# same for REDIS_REPLICAS / SPROCKET_CACHE_URL, RABBITMQ_REPLICAS / SPROCKET_BROKER_URL).
set -euo pipefail
cd "$(dirname "$0")"

# deploy/.env describes the deployment (SPROCKET_DOMAIN, SPROCKET_IMAGE...; no secret in it):
# `docker stack deploy` reads no .env of its own. The environment wins over it.
if [ -f .env ]; then
  while IFS='=' read -r key value; do
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue  # blank lines, comments
    [ -n "${!key+set}" ] || export "$key=$value"
  done <.env
fi

STACK=sprocket  # the stack's networks (sprocket_public) and Prometheus's targets use this name

say() { printf '%s\n' "$*" >&2; }
random() { openssl rand -hex 32; }

has_secret() { docker secret inspect "$1" >/dev/null 2>&1; }

# create_secret NAME VALUE: create it from standard input, unless it exists. A blank VALUE
# makes a one-line-break secret (Docker refuses empty ones; the app reads it as unset).
create_secret() {
  if has_secret "$1"; then
    return 0
  fi
  if [ -n "$2" ]; then
    printf '%s' "$2" | docker secret create "$1" - >/dev/null
  else
    printf '\n' | docker secret create "$1" - >/dev/null
  fi
  say "created secret $1"
}

# from_env NAME: the value of the variable NAME in capitals (blank when unset).
from_env() {
  local variable
  variable=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')
  printf '%s' "${!variable:-}"
}

# pair PASSWORD_SECRET URL_SECRET MANAGED_VARIABLE MAKER: a service's own secret file and the
# app's URL of it come in pairs, made together from one random password by MAKER (which
# prints the URL on its first line, then the service's file). With MANAGED_VARIABLE set (a
# managed service), the URL is that variable's value and the service's file is unused.
pair() {
  local password_secret=$1 url_secret=$2 managed=$3 maker=$4 made
  if has_secret "$password_secret" && has_secret "$url_secret"; then
    return 0
  fi
  if [ -n "${!managed:-}" ]; then
    create_secret "$url_secret" "${!managed}"
    create_secret "$password_secret" "$("$maker" "$(random)" | tail -n +2)"
    return 0
  fi
  if has_secret "$password_secret" || has_secret "$url_secret"; then
    say "only one of the secrets $password_secret and $url_secret exists: remove it to make"
    say "both anew, or set $managed to the URL of a managed service"
    exit 1
  fi
  made=$("$maker" "$(random)")
  create_secret "$password_secret" "$(printf '%s\n' "$made" | tail -n +2)"
  create_secret "$url_secret" "$(printf '%s\n' "$made" | head -n 1)"
}

# Each prints the app's URL on its first line, then the service's own secret file.
postgres_pair() { printf 'postgresql+asyncpg://sprocket:%s@postgres:5432/sprocket\n%s' "$1" "$1"; }
redis_pair() { printf 'redis://:%s@redis:6379/0\nrequirepass %s\n' "$1" "$1"; }
rabbitmq_pair() {
  printf 'amqp://sprocket:%s@rabbitmq:5672/\ndefault_user = sprocket\ndefault_pass = %s\n' "$1" "$1"
}

# -- 1. the swarm -----------------------------------------------------------------------------
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
  say "this host is in no swarm: starting a one-node swarm"
  docker swarm init >/dev/null
fi
if [ -z "$(docker node ls --filter node.label=sprocket.data=true -q)" ]; then
  node=$(docker info --format '{{.Swarm.NodeID}}')
  docker node update --label-add sprocket.data=true "$node" >/dev/null
  say "this node keeps the databases' volumes (label sprocket.data=true)"
fi

# -- 2. the secrets ---------------------------------------------------------------------------
pair postgres_password sprocket_database_url SPROCKET_DATABASE_URL postgres_pair
pair redis_conf sprocket_cache_url SPROCKET_CACHE_URL redis_pair
pair rabbitmq_conf sprocket_broker_url SPROCKET_BROKER_URL rabbitmq_pair
create_secret sprocket_secret_key "$(random)"
for name in sprocket_discord_client_secret sprocket_discord_bot_token \
  sprocket_epic_client_secret sprocket_s3_access_key_id sprocket_s3_secret_access_key \
  sprocket_backup_s3_access_key_id sprocket_backup_s3_secret_access_key \
  alertmanager_discord_webhook_url; do
  create_secret "$name" "$(from_env "$name")"
done
if ! has_secret grafana_admin_password; then
  password=$(random)
  create_secret grafana_admin_password "$password"
  say "Grafana: user admin, password $password (shown once)"
fi
if ! has_secret traefik_dashboard_users; then
  password=$(random)
  create_secret traefik_dashboard_users "admin:$(openssl passwd -apr1 -stdin <<<"$password")"
  say "Traefik dashboard: user admin, password $password (shown once)"
fi

# -- 3. the configs and the stack -------------------------------------------------------------
digest() { sha256sum "$1" | cut -c1-12; }
export PROMETHEUS_YML_DIGEST=$(digest prometheus/prometheus.yml)
export PROMETHEUS_RECORDING_DIGEST=$(digest prometheus/rules/recording.yml)
export PROMETHEUS_ALERTS_DIGEST=$(digest prometheus/rules/alerts.yml)
export ALERTMANAGER_YML_DIGEST=$(digest alertmanager/alertmanager.yml)
export GRAFANA_DATASOURCES_DIGEST=$(digest grafana/provisioning/datasources/prometheus.yml)
export GRAFANA_PROVIDER_DIGEST=$(digest grafana/provisioning/dashboards/sprocket.yml)
export GRAFANA_API_DIGEST=$(digest grafana/dashboards/api.json)
export GRAFANA_JOBS_DIGEST=$(digest grafana/dashboards/jobs.json)
export GRAFANA_LEAGUE_DIGEST=$(digest grafana/dashboards/league.json)

docker stack deploy --prune --with-registry-auth --detach=false -c stack.yml "$STACK"
say "deployed: https://${SPROCKET_DOMAIN:-sprocket.example.org}"
