"""deploy/k8s: valid Kubernetes objects that run real Flare commands, probes and settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import redis
import yaml

from flare.defaults import JOB_TIMEOUT
from flare.queues import QueueName, queue
from tests.deploy.flare_commands import command_error, option_value, setting_names

K8S = Path(__file__).parents[2] / "deploy" / "k8s"
KUBERNETES = "1.30.0"  # the oldest release the manifests are checked against
KEDA = "keda.sh/v1alpha1"
HTTP_ROUTES = ("/healthz", "/livez", "/metrics")  # flare/http.py:router answers these everywhere

Object = dict[str, Any]


@pytest.fixture(scope="module")
def objects() -> list[Object]:
    """What `kubectl apply -k deploy/k8s` applies: every document of every resource file."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [
        doc
        for name in kustomization["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text())
        if doc
    ]


def _of(objects: list[Object], kind: str) -> dict[str, Object]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _container(deployment: Object) -> Object:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _served(deployment: Object) -> list[str]:
    queues = option_value(_container(deployment)["args"], "--queues") or ""
    return queues.split(",")


def test_every_kubernetes_object_is_valid_against_the_api_schema(objects: list[Object]) -> None:
    built_in = [o for o in objects if o["apiVersion"] != KEDA]

    for o in built_in:
        kubernetes_validate.validate(o, KUBERNETES, strict=True)  # raises on any mistake
    assert {o["kind"] for o in built_in} == {"ConfigMap", "Secret", "Deployment", "Service"}


def test_listen_runs_alone_and_a_new_one_only_after_the_old_one_stopped(
    objects: list[Object],
) -> None:
    listen = _of(objects, "Deployment")["flare-listen"]

    assert listen["spec"]["replicas"] == 1
    assert listen["spec"]["strategy"] == {"type": "Recreate"}
    assert not [o for o in objects if o["kind"] == "ScaledObject" and _target(o) == "flare-listen"]


def test_each_queue_is_served_by_one_deployment_and_pages_by_their_own(
    objects: list[Object],
) -> None:
    workers = {
        name: _served(d)
        for name, d in _of(objects, "Deployment").items()
        if _container(d)["args"][0] == "worker"
    }

    served = [q for queues in workers.values() for q in queues]
    assert sorted(served) == sorted(QueueName)  # every queue, each once
    assert workers["flare-pages"] == [QueueName.PAGE]
    assert _of(objects, "Deployment")["flare-pages"]["spec"]["replicas"] >= 2


def test_every_command_and_exec_probe_is_a_flare_command_line_that_parses(
    objects: list[Object],
) -> None:
    for name, deployment in _of(objects, "Deployment").items():
        container = _container(deployment)
        assert command_error(container["args"]) is None, name
        for probe in ("livenessProbe", "readinessProbe"):
            if "exec" in container.get(probe, {}):
                check = container[probe]["exec"]["command"]
                assert check[0] == "flare" and command_error(check[1:]) is None, name


def test_http_probes_ask_a_route_flare_serves_on_the_port_its_command_serves(
    objects: list[Object],
) -> None:
    for name, deployment in _of(objects, "Deployment").items():
        container = _container(deployment)
        for probe in ("livenessProbe", "readinessProbe"):
            if "httpGet" in container.get(probe, {}):
                get = container[probe]["httpGet"]
                assert get["path"] in HTTP_ROUTES, name
                assert str(get["port"]) == option_value(container["args"], "--port"), name
                assert get["port"] in [p["containerPort"] for p in container["ports"]], name
    assert (
        "--worker"
        in _container(_of(objects, "Deployment")["flare-pages"])["livenessProbe"]["exec"]["command"]
    )


def test_every_setting_named_is_one_flare_reads(objects: list[Object]) -> None:
    known = setting_names()
    config = _of(objects, "ConfigMap")["flare"]["data"]

    assert set(config) <= known
    for name, deployment in _of(objects, "Deployment").items():
        env = {e["name"] for e in _container(deployment).get("env", [])}
        assert env <= known, name
        assert "FLARE_REDIS_URL" in env, name  # Redis through a URL, from the Secret


def test_secrets_and_config_referred_to_exist_with_their_keys(objects: list[Object]) -> None:
    secrets, maps = _of(objects, "Secret"), _of(objects, "ConfigMap")
    for name, deployment in _of(objects, "Deployment").items():
        container = _container(deployment)
        for e in container.get("env", []):
            ref = e["valueFrom"]["secretKeyRef"]
            assert ref["key"] in secrets[ref["name"]]["stringData"], name
        for source in container["envFrom"]:
            if "configMapRef" in source:
                assert source["configMapRef"]["name"] in maps, name
            else:
                assert source["secretRef"]["name"] == "flare"  # made from .env, docs/deploy.md


def test_a_stopping_worker_has_longer_than_the_longest_job(objects: list[Object]) -> None:
    for name, deployment in _of(objects, "Deployment").items():
        if _container(deployment)["args"][0] == "worker":
            grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
            assert grace > JOB_TIMEOUT, name


def test_no_pod_is_given_service_links_which_flare_would_refuse_as_unknown_settings(
    objects: list[Object],
) -> None:
    # a Service named flare-bot puts FLARE_BOT_SERVICE_HOST (and more) into every pod's env
    named_flare = [name for name in _of(objects, "Service") if name.startswith("flare")]
    assert named_flare
    for name, deployment in _of(objects, "Deployment").items():
        assert deployment["spec"]["template"]["spec"]["enableServiceLinks"] is False, name


def test_services_reach_the_bot_and_the_listener_on_their_ports(objects: list[Object]) -> None:
    deployments = _of(objects, "Deployment")
    for name, service in _of(objects, "Service").items():
        target = deployments[name]
        labels = target["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items(), name
        ports = [p["containerPort"] for p in _container(target)["ports"]]
        assert all(p["targetPort"] in ports for p in service["spec"]["ports"]), name
    assert set(_of(objects, "Service")) == {"flare-bot", "flare-listen"}


def _target(scaled: Object) -> str:
    return str(scaled["spec"]["scaleTargetRef"]["name"])


def test_triage_scales_on_the_length_of_the_redis_lists_its_queues_are(
    objects: list[Object],
) -> None:
    deployments, auths, secrets = (
        _of(objects, "Deployment"),
        _of(objects, "TriggerAuthentication"),
        _of(objects, "Secret"),
    )
    [scaled] = _of(objects, "ScaledObject").values()
    offline = redis.Redis()  # only to ask RQ the key of each queue; never connects
    keys = {queue(offline, QueueName(q)).key for q in _served(deployments[_target(scaled)])}

    assert scaled["apiVersion"] == KEDA and _target(scaled) == "flare-triage"
    assert scaled["spec"]["minReplicaCount"] >= 1
    assert {t["metadata"]["listName"] for t in scaled["spec"]["triggers"]} == keys
    for trigger in scaled["spec"]["triggers"]:
        assert trigger["type"] == "redis" and int(trigger["metadata"]["listLength"]) > 0
        auth = auths[trigger["authenticationRef"]["name"]]
        for ref in auth["spec"]["secretTargetRef"]:
            assert ref["parameter"] in {"address", "password"}
            assert ref["key"] in secrets[ref["name"]]["stringData"]
