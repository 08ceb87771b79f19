"""Generate a seeded corpus of realistic Run:ai NIM service create requests as YAML.

About 20% of the documents carry one or two injected errors. Each document depends only on
(seed, index), so the first N files of a bigger corpus equal a corpus of N files.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from yaml_style import Styler

DEFAULT_OUT = Path(__file__).resolve().parent / "corpus"
ERROR_RATE = 0.2
MIN_LINES, MAX_LINES = 40, 120

# (repository, tags, kind, whole GPUs, relative weight)
MODELS = [
    ("nvcr.io/nim/meta/llama-3.1-8b-instruct", ("1.3.3", "1.8.3", "latest"), "llm", 1, 8),
    ("nvcr.io/nim/meta/llama-3.1-70b-instruct", ("1.3.3", "1.8.3"), "llm", 4, 3),
    ("nvcr.io/nim/meta/llama3-8b-instruct", ("1.0.3",), "llm", 1, 2),
    ("nvcr.io/nim/meta/llama-3.2-3b-instruct", ("1.8.3",), "llm", 1, 2),
    ("nvcr.io/nim/mistralai/mistral-7b-instruct-v03", ("1.3.0",), "llm", 1, 3),
    ("nvcr.io/nim/mistralai/mistral-nemo-12b-instruct", ("1.2.2",), "llm", 1, 1),
    ("nvcr.io/nim/mistralai/mixtral-8x7b-instruct-v01", ("1.2.1",), "llm", 2, 2),
    ("nvcr.io/nim/mistralai/mixtral-8x22b-instruct-v01", ("1.2.2",), "llm", 8, 1),
    ("nvcr.io/nim/nvidia/llama-3.1-nemotron-70b-instruct", ("1.3.3",), "llm", 4, 1),
    ("nvcr.io/nim/deepseek-ai/deepseek-r1-distill-llama-8b", ("1.5.2",), "llm", 1, 2),
    ("nvcr.io/nim/nvidia/nv-embedqa-e5-v5", ("1.0.1", "1.1.0"), "embed", 1, 4),
    ("nvcr.io/nim/nvidia/llama-3.2-nv-embedqa-1b-v2", ("1.3.0",), "embed", 1, 2),
    ("nvcr.io/nim/nvidia/llama-3.2-nv-rerankqa-1b-v2", ("1.3.0",), "embed", 1, 2),
    ("nvcr.io/nim/snowflake/arctic-embed-l", ("1.0.1",), "embed", 1, 1),
]
TEAMS = ("search", "support", "copilot", "research", "rag", "platform", "eval", "finance")
ENV_POOL = [
    ("NIM_LOG_LEVEL", ("INFO", "DEBUG", "WARNING")),
    ("NIM_JSONL_LOGGING", ("1", "0")),
    ("NIM_ENABLE_KV_CACHE_REUSE", ("1",)),
    ("NIM_LOW_MEMORY_MODE", ("0", "1")),
    ("NIM_DISABLE_LOG_REQUESTS", ("true", "false")),
    ("NIM_TRITON_LOG_VERBOSE", ("0",)),
    ("NIM_KVCACHE_PERCENT", ("0.9", "0.85")),
    ("NIM_MAX_BATCH_SIZE", ("64", "128", "256")),
    ("NIM_GUIDED_DECODING_BACKEND", ("outlines", "xgrammar")),
    ("NIM_ENABLE_OTEL", ("1",)),
    ("OTEL_SERVICE_NAME", ("nim-inference",)),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", ("http://otel-collector.monitoring:4317",)),
    ("OTEL_TRACES_EXPORTER", ("otlp",)),
    ("NIM_PEFT_SOURCE", ("/opt/nim/loras",)),
    ("NIM_PEFT_REFRESH_INTERVAL", ("3600",)),
    ("NIM_MAX_LORA_RANK", ("32", "64")),
    ("NIM_TRUST_CUSTOM_CODE", ("false",)),
    ("TRANSFORMERS_OFFLINE", ("1",)),
    ("HF_HUB_OFFLINE", ("1",)),
    ("OMP_NUM_THREADS", ("4", "8")),
    ("TZ", ("UTC", "Europe/Berlin")),
    ("NIM_DEPLOYMENT_NOTE", ("managed by the inference platform team",)),
]
LABELS = [
    ("team", TEAMS),
    ("app.kubernetes.io/name", ("nim",)),
    ("app.kubernetes.io/part-of", ("genai-platform",)),
    ("app.kubernetes.io/managed-by", ("gitops",)),
    ("environment", ("dev", "staging", "prod")),
    ("cost-center", ("cc-1001", "cc-2040", "cc-3310")),
    ("tier", ("online", "batch")),
    ("owner", ("ml-platform", "applied-ai")),
]
ANNOTATIONS = [
    ("prometheus.io/scrape", ("true",)),
    ("prometheus.io/path", ("/v1/metrics",)),
    ("prometheus.io/port", ("8000",)),
    ("description", ("Inference endpoint for the assistant", "RAG retrieval backend")),
    ("runbook", ("https://wiki.example.com/nim/runbook",)),
    ("contact", ("#genai-oncall",)),
    ("change-ticket", ("CHG-10423", "CHG-20991")),
]


def _model_store(rng: random.Random, slug: str, gpus: int) -> dict:
    if rng.random() < 0.5:
        profile = rng.choice(
            (
                f"tensorrt_llm-h100-fp8-tp{gpus}-throughput",
                f"tensorrt_llm-a100-bf16-tp{gpus}-latency",
                f"vllm-bf16-tp{gpus}",
                f"{rng.getrandbits(256):064x}",
            )
        )
        cache: dict = {"name": f"{slug}-cache"}
        if rng.random() < 0.7:
            cache["profile"] = profile
        return {"nimCache": cache}
    if rng.random() < 0.4:
        return {"pvc": {"existingPvc": True, "claimName": f"{slug}-weights"}}
    claim = {"size": rng.choice(("50Gi", "100Gi", "200Gi", "500Gi", "1Ti"))}
    if rng.random() < 0.7:
        claim["storageClass"] = rng.choice(("standard-rwo", "premium-rwo", "ceph-block", "gp3"))
    claim["accessModes"] = {"readWriteOnce": True}
    return {"pvc": {"existingPvc": False, "claimName": f"{slug}-weights", "claimInfo": claim}}


def _compute(rng: random.Random, kind: str, gpus: int) -> dict:
    compute: dict = {"gpuDevicesRequest": gpus}
    if kind == "embed" and rng.random() < 0.5:
        if rng.random() < 0.5:
            compute.update(gpuRequestType="portion", gpuPortionRequest=rng.choice((0.25, 0.5)))
        else:
            compute.update(gpuRequestType="memory", gpuMemoryRequest=rng.choice(("10Gi", "20Gi")))
    cores = rng.choice((2, 4, 8, 16)) * max(1, gpus // 2)
    compute["cpuCoreRequest"] = float(cores) if rng.random() < 0.3 else cores
    if rng.random() < 0.6:
        compute["cpuCoreLimit"] = cores * 2
    memory = rng.choice((16, 32, 64)) * gpus
    compute["cpuMemoryRequest"] = f"{memory}Gi"
    if rng.random() < 0.6:
        compute["cpuMemoryLimit"] = f"{memory * 2}Gi"
    return compute


def _spec(rng: random.Random, model: tuple, slug: str) -> dict:
    repo, tags, kind, gpus, _ = model
    tag = rng.choice(tags)
    spec: dict = {
        "image": f"{repo}:{tag}",
        "imagePullPolicy": "Always" if tag == "latest" else "IfNotPresent",
    }
    if rng.random() < 0.9:
        spec["ngcAuthSecret"] = rng.choice(("ngc-api-secret", "ngc-secret"))
    if rng.random() < 0.6:
        spec["imagePullSecrets"] = [{"name": "ngc-registry"}]
    spec["compute"] = _compute(rng, kind, gpus)
    env = [{"name": "NIM_CACHE_PATH", "value": "/opt/nim/.cache"}]
    if rng.random() < 0.5:
        env.append(
            {"name": "NGC_API_KEY", "secret": {"name": "ngc-api-secret", "key": "NGC_API_KEY"}}
        )
    if kind == "llm":
        env.append({"name": "NIM_MAX_MODEL_LEN", "value": rng.choice(("4096", "8192", "32768"))})
        if gpus > 1:
            env.append({"name": "NIM_TENSOR_PARALLEL_SIZE", "value": str(gpus)})
    if rng.random() < 0.3:
        env.append(
            {"name": "NIM_LOG_LEVEL", "configMap": {"name": "nim-config", "key": "log-level"}}
        )
    spec["environmentVariables"] = env
    spec["modelStore"] = _model_store(rng, slug, gpus)
    port = rng.choice((8000, 8000, 8000, 8080))
    serving: dict = {"port": port}
    if kind == "llm" and rng.random() < 0.2:
        serving["grpcPort"] = 8001
    if rng.random() < 0.3:
        serving["metricsPort"] = 8002
    serving["exposeExternally"] = rng.random() < 0.3
    serving["serviceType"] = rng.choice(("ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"))
    spec["servingPort"] = serving
    if rng.random() < 0.8:
        http = {"path": "/v1/health/ready", "port": port, "scheme": "HTTP"}
        spec["probes"] = {
            "readiness": {
                "initialDelaySeconds": rng.choice((15, 60, 120, 300)),
                "periodSeconds": 10,
                "timeoutSeconds": rng.choice((1, 3, 5)),
                "failureThreshold": rng.choice((3, 30, 100)),
                "handler": {"httpGet": http},
            }
        }
    if rng.random() < 0.7:
        tol = {"name": "gpu", "key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
        spec["tolerations"] = [tol]
    if rng.random() < 0.6:
        spec["nodePools"] = rng.sample(("default", "a100-pool", "h100-pool", "l40s-pool"), 2)
    spec["priorityClass"] = rng.choice(("high", "very-high", "medium", "medium-high"))
    if rng.random() < 0.4:
        spec["autoscaling"] = {
            "minReplicas": 1,
            "maxReplicas": rng.choice((2, 4, 8)),
            "metric": rng.choice(("concurrency", "throughput", "latency")),
            "metricThreshold": rng.choice((8, 16, 32, 100)),
            "scaleWindowSeconds": rng.choice((60, 300, 600)),
        }
    else:
        spec["replicas"] = rng.choice((1, 1, 2, 3))
    if rng.random() < 0.3:
        spec["security"] = {"runAsUid": 1000, "runAsGid": 1000}
    if rng.random() < 0.3:
        keys = list(spec)
        rng.shuffle(keys)
        spec = {key: spec[key] for key in keys}
    return spec


def _enum_case(meta: dict, spec: dict, rng: random.Random) -> None:
    fields = [
        (spec, "imagePullPolicy", "ifNotPresent"),
        (spec["servingPort"], "serviceType", "clusterIP"),
    ]
    if "tolerations" in spec:
        fields.append((spec["tolerations"][0], "effect", "noSchedule"))
    if "probes" in spec:
        fields.append((spec["probes"]["readiness"]["handler"]["httpGet"], "scheme", "http"))
    target, key, value = rng.choice(fields)
    target[key] = value


def _string_port(meta: dict, spec: dict, rng: random.Random) -> None:
    spec["servingPort"]["port"] = str(spec["servingPort"]["port"])


def _bad_quantity(meta: dict, spec: dict, rng: random.Random) -> None:
    spec["compute"]["cpuMemoryRequest"] = rng.choice(("1.2.3Gi", "16GB", "8gi"))


def _limit_below_request(meta: dict, spec: dict, rng: random.Random) -> None:
    compute = spec["compute"]
    if rng.random() < 0.5:
        compute.update(cpuMemoryRequest="32Gi", cpuMemoryLimit="16Gi")
    else:
        compute.update(cpuCoreRequest=8, cpuCoreLimit=4)


def _negative_replicas(meta: dict, spec: dict, rng: random.Random) -> None:
    spec.pop("autoscaling", None)
    spec["replicas"] = -1


def _missing_project(meta: dict, spec: dict, rng: random.Random) -> None:
    del meta["projectId"]


def _misspelled_key(meta: dict, spec: dict, rng: random.Random) -> None:
    spec["compute"]["gpuDeviceRequest"] = spec["compute"].pop("gpuDevicesRequest")


def _exists_with_value(meta: dict, spec: dict, rng: random.Random) -> None:
    tol = {"name": "gpu", "key": "nvidia.com/gpu", "operator": "Exists", "value": "present"}
    spec["tolerations"] = [{**tol, "effect": "NoSchedule"}]


def _pattern_violation(meta: dict, spec: dict, rng: random.Random) -> None:
    if "probes" in spec and rng.random() < 0.3:
        spec["probes"]["readiness"]["handler"]["httpGet"]["path"] = "v1/health/ready"
    else:
        spec["ngcAuthSecret"] = rng.choice(("NGC_Secret", "ngc_api_secret"))


ERRORS = [
    _enum_case,
    _string_port,
    _bad_quantity,
    _limit_below_request,
    _negative_replicas,
    _missing_project,
    _misspelled_key,
    _exists_with_value,
    _pattern_violation,
]


def _pad(
    rng: random.Random, spec: dict, style_seed: float, meta: dict, preamble: list[str]
) -> list[str]:
    """Add env vars, labels and annotations until the document is 40-120 lines long."""
    target = rng.randint(MIN_LINES, MAX_LINES)
    env_names = {var["name"] for var in spec["environmentVariables"]}
    pools = {
        "environmentVariables": [e for e in ENV_POOL if e[0] not in env_names],
        "labels": list(LABELS),
        "annotations": list(ANNOTATIONS),
    }
    for pool in pools.values():
        rng.shuffle(pool)
    added: list[str] = []
    while True:
        lines = Styler(random.Random(style_seed)).document(
            {"metadata": meta, "spec": spec}, preamble
        )
        if len(lines) > MAX_LINES and added:
            spec[added.pop()].pop()
            continue
        free = [key for key, pool in pools.items() if pool]
        if len(lines) >= target or not free:
            return lines
        for _ in range(max(1, (target - len(lines)) // 4)):
            key = rng.choice(free)
            if pools[key]:
                name, values = pools[key].pop()
                spec.setdefault(key, []).append({"name": name, "value": rng.choice(values)})
                added.append(key)


def make_document(seed: int, index: int) -> tuple[str, int]:
    """One YAML document and its number of injected errors."""
    rng = random.Random(f"{seed}:{index}")
    model = rng.choices(MODELS, weights=[m[4] for m in MODELS])[0]
    slug = model[0].rsplit("/", 1)[1].replace(".", "-")[:30].rstrip("-")
    team = rng.choice(TEAMS)
    meta: dict = {"name": f"{slug}-{team}-{index}", "projectId": str(rng.randint(1, 9999))}
    if rng.random() < 0.1:
        meta["useGivenNameAsPrefix"] = True
    spec = _spec(rng, model, slug)
    errors = rng.sample(ERRORS, rng.choice((1, 1, 2))) if rng.random() < ERROR_RATE else []
    for inject in errors:
        inject(meta, spec, rng)
    preamble = ["---"] if rng.random() < 0.3 else []
    if rng.random() < 0.5:
        preamble += [
            f"# NIM service for {team}: {model[0].rsplit('/', 1)[1]}",
            "# owner: ml-platform",
        ]
    lines = _pad(rng, spec, rng.random(), meta, preamble)
    return "\n".join(lines) + "\n", len(errors)


def write_files(out: Path, count: int, seed: int) -> tuple[int, int]:
    """Write ``count`` files into ``out``; return (bytes written, documents with errors)."""
    out.mkdir(parents=True, exist_ok=True)
    size = broken = 0
    for index in range(count):
        text, errors = make_document(seed, index)
        suffix = ".yml" if index % 10 == 9 else ".yaml"
        (out / f"nim-{index:05d}{suffix}").write_text(text)
        size += len(text)
        broken += errors > 0
    return size, broken


def write_stream(path: Path, count: int, seed: int) -> tuple[int, int]:
    """Write ``count`` documents as one multi-document stream; same return as write_files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = broken = 0
    with path.open("w") as stream:
        for index in range(count):
            text, errors = make_document(seed, index)
            if not text.startswith("---\n"):
                text = "---\n" + text
            stream.write(text)
            size += len(text)
            broken += errors > 0
    return size, broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, help="files (default 2000) or stream documents (5000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--stream", type=Path, metavar="FILE", help="write one multi-doc stream")
    args = parser.parse_args(argv)
    if args.stream:
        count = args.count or 5000
        size, broken = write_stream(args.stream, count, args.seed)
        where = args.stream
    else:
        count = args.count or 2000
        size, broken = write_files(args.out, count, args.seed)
        where = args.out
    print(
        f"wrote {count} documents ({broken} with injected errors, {size / 1e6:.1f} MB) to {where}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
