"""The Scones Unlimited notebook, against `scones up` instead of AWS (SageMaker Python SDK v2).

What a notebook user writes, cell by cell: a `sagemaker.Session()` and its `default_bucket()`,
the CIFAR images uploaded with `upload_data`, an `Estimator` of the built-in image-classification
algorithm (`image_uris.retrieve`) on an `ml.p3.2xlarge`, `set_hyperparameters`, `fit(inputs,
logs=True)` with its four `TrainingInput` channels, `Estimator.attach` to the finished job,
`deploy` with a `DataCaptureConfig`,
`Predictor.predict` of a PNG through `IdentitySerializer("image/png")`, the captured records read
back from S3, `delete_endpoint()`. It prints a readable transcript; its last line is
`RESULT {json}` for test/up/sagemaker-sdk.test.ts.

Run it by hand (docs/scones-up.md): `npx scones up --stub` in one terminal; in another,
`eval "$(the export lines it printed)"`, then `.venv/bin/python test/up/python/notebook.py`.
Among the exports, SAGEMAKER_USER_CONFIG_OVERRIDE names the SDK defaults file `scones up` wrote:
the default bucket and the telemetry opt-out. Without it the SDK asks STS at
`sts.<region>.amazonaws.com` for the account (an explicit endpoint, not the printed one) and
sends telemetry to an amazonaws.com bucket.
"""

import argparse
import base64
import json
import logging
import tempfile
import time
from pathlib import Path

import sagemaker
from sagemaker import image_uris
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.model_monitor import DataCaptureConfig
from sagemaker.predictor import Predictor
from sagemaker.s3 import S3Downloader
from sagemaker.serializers import IdentitySerializer

from cifar_images import write_channels

# Outside SageMaker Studio `get_execution_role()` has no notebook role to find: name one.
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
CHANNELS = ("train", "validation", "train_lst", "validation_lst")


def cell(title: str) -> None:
    print(f"\n## {title}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="The Scones Unlimited notebook against scones up.")
    # By hand: 900 training images, 10 epochs. The test trains on 160 for 2 epochs.
    parser.add_argument("--train-per-class", type=int, default=450)
    parser.add_argument("--validation-per-class", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--name", default="scones-notebook")
    # deploy() polls the endpoint every 30 s; with this, deploy(wait=False) then
    # wait_for_endpoint(poll=N): the same SDK calls, sooner (the test passes 1).
    parser.add_argument("--endpoint-poll", type=int)
    # fit(logs=True) tails the job with logs_for_job(poll=10); with this, fit(wait=False) then
    # logs_for_job(wait=True, poll=N): the same SDK calls and transcript, sooner (the test passes 1).
    parser.add_argument("--logs-poll", type=int)
    arguments = parser.parse_args()
    # botocore notes at INFO which endpoint variable it used, for every client: not for the transcript.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    result = {}

    cell("Session and default bucket")
    session = sagemaker.Session()
    bucket = session.default_bucket()
    region = session.boto_region_name
    print(f"region {region}, default bucket {bucket}")
    result.update(region=region, bucket=bucket)

    cell("Stage the images (upload_data)")
    prefix = arguments.name
    with tempfile.TemporaryDirectory() as folder:
        counts = write_channels(Path(folder), arguments.train_per_class, arguments.validation_per_class)
        for channel in CHANNELS:
            session.upload_data(path=str(Path(folder, channel)), bucket=bucket, key_prefix=f"{prefix}/{channel}")
        bicycle = sorted(Path(folder, "validation", "bicycle").iterdir())[0].read_bytes()
        motorcycle = sorted(Path(folder, "validation", "motorcycle").iterdir())[0].read_bytes()
    print(f"{counts['train']} training and {counts['validation']} validation images in s3://{bucket}/{prefix}/")
    result["counts"] = counts

    cell("Train: Estimator(image-classification).fit(inputs, logs=True)")
    algo_image = image_uris.retrieve("image-classification", region)
    print(f"algorithm image {algo_image}")
    estimator = Estimator(
        image_uri=algo_image,
        role=ROLE,
        instance_count=1,
        instance_type="ml.p3.2xlarge",
        output_path=f"s3://{bucket}/{prefix}/models",
        sagemaker_session=session,
    )
    estimator.set_hyperparameters(
        image_shape="3,32,32",
        num_classes=2,
        num_training_samples=counts["train"],
        epochs=arguments.epochs,
        mini_batch_size=32,
        optimizer="adam",
        learning_rate=0.004,
    )
    inputs = {
        channel: TrainingInput(f"s3://{bucket}/{prefix}/{channel}/", content_type="application/x-image")
        for channel in CHANNELS
    }
    started = time.monotonic()
    if arguments.logs_poll:
        estimator.fit(inputs, wait=False)
        session.logs_for_job(estimator.latest_training_job.name, wait=True, poll=arguments.logs_poll)
    else:
        estimator.fit(inputs, logs=True)
    job = estimator.latest_training_job.describe()
    metrics = {m["MetricName"]: m["Value"] for m in job.get("FinalMetricDataList", [])}
    print(f"training job {job['TrainingJobName']}: {job['TrainingJobStatus']} in {time.monotonic() - started:.1f} s")
    for name, value in metrics.items():
        print(f"  {name} = {value:.3f}")
    print(f"model artifact {estimator.model_data}")
    result["training"] = {
        "job": job["TrainingJobName"],
        "status": job["TrainingJobStatus"],
        "metrics": metrics,
        "artifact": estimator.model_data,
        "seconds": round(time.monotonic() - started, 1),
    }

    cell("Attach to the finished job (Estimator.attach), as a later notebook session would")
    attached = Estimator.attach(job["TrainingJobName"], sagemaker_session=session)
    print(f"attached {attached.latest_training_job.name}: {attached.instance_type}, {attached.hyperparameters()}")
    result["attached"] = {
        "instanceType": attached.instance_type,
        "hyperparameters": attached.hyperparameters(),
        "modelData": attached.model_data,
    }

    cell("Deploy with data capture")
    capture_uri = f"s3://{bucket}/{prefix}/data-capture"
    predictor = estimator.deploy(
        initial_instance_count=1,
        instance_type="ml.m5.large",
        endpoint_name=f"{prefix}-endpoint",
        data_capture_config=DataCaptureConfig(
            enable_capture=True, sampling_percentage=100, destination_s3_uri=capture_uri
        ),
        wait=arguments.endpoint_poll is None,
    )
    if arguments.endpoint_poll is not None:
        session.wait_for_endpoint(predictor.endpoint_name, poll=arguments.endpoint_poll)
    endpoint = session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)
    print(f"\nendpoint {predictor.endpoint_name}: {endpoint['EndpointStatus']}")
    result["endpoint"] = {"name": predictor.endpoint_name, "status": endpoint["EndpointStatus"]}

    cell("Predict: Predictor.predict(png) with IdentitySerializer('image/png')")
    predictor = Predictor(predictor.endpoint_name, sagemaker_session=session)
    predictor.serializer = IdentitySerializer("image/png")
    predictions = {}
    for label, payload in (("bicycle", bicycle), ("motorcycle", motorcycle)):
        inference = json.loads(predictor.predict(payload))
        predictions[label] = inference
        print(f"{label} image -> [bicycle {inference[0]:.3f}, motorcycle {inference[1]:.3f}]")
    result["predictions"] = predictions

    cell("Read the captured data back")
    captured = []
    for _ in range(100):
        files = S3Downloader.list(f"{capture_uri}/{predictor.endpoint_name}", sagemaker_session=session)
        captured = [json.loads(line) for uri in files for line in S3Downloader.read_file(uri, session).splitlines()]
        if len(captured) >= len(predictions):
            break
        time.sleep(0.1)
    for uri in files:
        print(uri)
    for record in captured:
        data = record["captureData"]
        sent = base64.b64decode(data["endpointInput"]["data"])
        print(
            f"  {record['eventMetadata']['inferenceTime']}  in: {data['endpointInput']['observedContentType']}"
            f" {len(sent)} bytes  out: {data['endpointOutput']['data']}"
        )
    result["captured"] = [
        {
            "inputContentType": r["captureData"]["endpointInput"]["observedContentType"],
            "input": base64.b64decode(r["captureData"]["endpointInput"]["data"]) in (bicycle, motorcycle),
            "output": json.loads(r["captureData"]["endpointOutput"]["data"]),
        }
        for r in captured
    ]

    cell("Clean up: delete_endpoint()")
    predictor.delete_endpoint()
    remaining = session.sagemaker_client.list_endpoints(NameContains=predictor.endpoint_name)["Endpoints"]
    print(f"endpoints named {predictor.endpoint_name} left: {len(remaining)}")
    result["endpointsLeft"] = len(remaining)
    print("\nRESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
