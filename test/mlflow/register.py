"""Register one model version in a real MLflow server with MLflow's own Python client.

Run with the venv that test/mlflow/install.sh creates:

    <venv>/bin/python test/mlflow/register.py --tracking-uri http://127.0.0.1:5000 < spec.json

The spec (one JSON object on stdin; only "name" is required):

    {
      "name": "churn-model",                     # registered model (created when missing)
      "experiment": "model-release-gate-tests",   # experiment (created or reused)
      "run_name": "train-v2",
      "metrics": {"auc": 0.92},                   # latest values, logged at step 0
      "metric_history": {"val_loss": [0.5, 0.4]}, # one value per step, step = index
      "params": {"max_depth": "6"},
      "artifacts": {"holdout/predictions.csv": "id,p\\n1,0.3\\n"},  # path -> text content
      "run_tags": {"team": "churn"},
      "source_path": "model",                     # version source = <run artifact_uri>/<source_path>
      "description": "challenger",
      "tags": {"model-release-gate.release-tag": "v1.2.0"},  # model version tags
      "aliases": ["challenger"]
    }

Prints one JSON line on stdout:
    {"name": ..., "version": ..., "run_id": ..., "artifact_uri": ..., "experiment_id": ...}
Everything else MLflow prints goes to stderr. The version's source need not hold a real model:
the release gate reads metrics, tags, aliases and artifacts, never the model itself.
"""

import argparse
import json
import sys
import time


def main() -> int:
    # MLflow prints to stdout (e.g. "View run ... at: <url>" when a run ends): keep stdout for the
    # one JSON line and send everything else to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        result = register()
    finally:
        sys.stdout = out
    print(json.dumps(result), flush=True)
    return 0


def register() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", required=True)
    args = parser.parse_args()

    spec = json.load(sys.stdin)
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise SystemExit('register.py: the spec must be a JSON object with a non-empty "name"')

    # Imported late so that a bad spec fails fast, before MLflow's (slow) import.
    import mlflow
    from mlflow.entities import Metric, Param
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_registry_uri(args.tracking_uri)
    client = MlflowClient(tracking_uri=args.tracking_uri, registry_uri=args.tracking_uri)

    experiment_name = spec.get("experiment") or "model-release-gate-tests"
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is not None:
        experiment_id = experiment.experiment_id
    else:
        try:
            experiment_id = client.create_experiment(experiment_name)
        except MlflowException as e:  # created concurrently by another registration
            if e.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
            experiment_id = client.get_experiment_by_name(experiment_name).experiment_id

    run_tags = {str(k): str(v) for k, v in (spec.get("run_tags") or {}).items()}
    run = client.create_run(experiment_id, run_name=spec.get("run_name"), tags=run_tags)
    run_id = run.info.run_id
    try:
        now = int(time.time() * 1000)
        metrics = [Metric(str(k), float(v), now, 0) for k, v in (spec.get("metrics") or {}).items()]
        for key, values in (spec.get("metric_history") or {}).items():
            metrics += [Metric(str(key), float(v), now + i, i) for i, v in enumerate(values)]
        params = [Param(str(k), str(v)) for k, v in (spec.get("params") or {}).items()]
        # log_batch takes at most 1000 metrics per call; tests never come close, but chunk anyway.
        for start in range(0, max(len(metrics), 1), 1000):
            client.log_batch(run_id, metrics=metrics[start : start + 1000], params=params if start == 0 else [], tags=[])
        for path, content in (spec.get("artifacts") or {}).items():
            client.log_text(run_id, str(content), str(path))
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")

    name = spec["name"]
    try:
        client.create_registered_model(name)
    except MlflowException as e:
        if e.error_code != "RESOURCE_ALREADY_EXISTS":
            raise

    artifact_uri = client.get_run(run_id).info.artifact_uri
    source = f"{artifact_uri.rstrip('/')}/{spec.get('source_path') or 'model'}"
    version = client.create_model_version(
        name,
        source,
        run_id=run_id,
        tags={str(k): str(v) for k, v in (spec.get("tags") or {}).items()},
        description=spec.get("description"),
        await_creation_for=60,
    )
    for alias in spec.get("aliases") or []:
        client.set_registered_model_alias(name, str(alias), version.version)

    return {
        "name": name,
        "version": str(version.version),
        "run_id": run_id,
        "artifact_uri": artifact_uri,
        "experiment_id": str(experiment_id),
    }


if __name__ == "__main__":
    sys.exit(main())
