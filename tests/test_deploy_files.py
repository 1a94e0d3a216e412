"""The operations files users run with `docker compose up` (no Docker engine here: kept correct by reading them):
Prometheus scrapes the service's /metrics, Grafana is provisioned with it as its data source, and every metric the
dashboard graphs is one the service exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from services.api.metrics import Metrics

ROOT = Path(__file__).parents[1]


def test_prometheus_scrapes_the_service_the_compose_file_runs() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "nats", "credledger", "prometheus", "grafana"} <= set(services)
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    (target,) = job["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert host == "credledger" and f"{port}:{port}" in services["credledger"]["ports"][0]
    for service in ("prometheus", "grafana"):
        for volume in services[service]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), (service, source)  # every file the compose file mounts
    assert set(compose["volumes"]) >= {"promdata", "grafanadata"}
    datasource = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


def test_every_metric_the_dashboard_graphs_is_exported() -> None:
    exported = set()
    for family in Metrics().registry.collect():
        exported |= {family.name + kind for kind in ("", "_bucket", "_count", "_sum", "_total")}
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/credledger.json").read_text())
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\b(credledger_[a-z_]+)", target["expr"])
    }
    assert used and used <= exported, used - exported
    assert len(dashboard["panels"]) >= 10 and len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    assert {"credledger_relay_lag_events", "credledger_projection_lag_events", "credledger_parked_events"} <= used
    assert "credledger_group_commit_batch_size_bucket" in used and "credledger_commands_total" in used
