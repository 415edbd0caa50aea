"""boto3 against `scones up`, configured by nothing but the variables it prints.

The SageMaker flow of the kit with boto3's own calls and waiters: images uploaded to S3, a
training job of the built-in image-classification algorithm (its image URI as the SageMaker
Python SDK gives it), `training_job_completed_or_stopped`, the job's metrics and artifact, a model,
an endpoint config with data capture, an endpoint and `endpoint_in_service`, `invoke_endpoint`,
the captured records read back from S3, the job's CloudWatch Logs lines (describe_log_streams,
get_log_events, filter_log_events with filter patterns), STS's caller identity. Its last line is
`RESULT {json}` for test/up/boto3.test.ts to assert (progress goes to stderr).

    python boto3_flow.py [--name NAME] [--epochs 2]
"""

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import boto3
from sagemaker import image_uris

from cifar_images import write_channels

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
TRAINING_GROUP = "/aws/sagemaker/TrainingJobs"


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def upload(s3, folder: Path, bucket: str, prefix: str) -> int:
    files = [path for path in folder.rglob("*") if path.is_file()]
    for path in files:
        s3.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(folder).as_posix()}")
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="boto3-flow")
    parser.add_argument("--epochs", default="2")
    arguments = parser.parse_args()
    name = arguments.name
    region = boto3.session.Session().region_name
    s3 = boto3.client("s3")
    sagemaker = boto3.client("sagemaker")
    runtime = boto3.client("sagemaker-runtime")
    logs = boto3.client("logs")
    result = {"region": region}

    bucket = f"{name}-data"
    s3.create_bucket(Bucket=bucket)
    with tempfile.TemporaryDirectory() as folder:
        counts = write_channels(Path(folder), train_per_class=150, validation_per_class=50)
        result["uploaded"] = upload(s3, Path(folder), bucket, "cifar")
        sample = next(Path(folder, "validation", "bicycle").iterdir()).read_bytes()
    say(f"uploaded {result['uploaded']} objects to s3://{bucket}/cifar/")

    image = image_uris.retrieve("image-classification", region)
    result["image"] = image
    job = f"{name}-job"
    started = time.monotonic()
    sagemaker.create_training_job(
        TrainingJobName=job,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        HyperParameters={
            "num_classes": "2",
            "num_training_samples": str(counts["train"]),
            "image_shape": "3,32,32",
            "epochs": arguments.epochs,
            "mini_batch_size": "32",
            "optimizer": "adam",
            "learning_rate": "0.004",
        },
        InputDataConfig=[
            {
                "ChannelName": channel,
                "ContentType": "application/x-image",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{bucket}/cifar/{channel}/",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
            for channel in ("train", "validation", "train_lst", "validation_lst")
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/models/"},
        ResourceConfig={"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    sagemaker.get_waiter("training_job_completed_or_stopped").wait(
        TrainingJobName=job, WaiterConfig={"Delay": 1, "MaxAttempts": 300}
    )
    described = sagemaker.describe_training_job(TrainingJobName=job)
    result["training"] = {
        "seconds": round(time.monotonic() - started, 1),
        "status": described["TrainingJobStatus"],
        "secondaryStatus": described["SecondaryStatus"],
        "metrics": {m["MetricName"]: m["Value"] for m in described.get("FinalMetricDataList", [])},
        "artifact": described["ModelArtifacts"]["S3ModelArtifacts"],
        "trainingTimeInSeconds": described.get("TrainingTimeInSeconds"),
        "transitions": [t["Status"] for t in described["SecondaryStatusTransitions"]],
        # boto3 parsed these as datetimes: the wire format was one it reads.
        "endTimeIsDatetime": hasattr(described.get("TrainingEndTime"), "isoformat"),
    }
    say(f"training job {described['TrainingJobStatus']}: {result['training']['metrics']}")
    artifact = described["ModelArtifacts"]["S3ModelArtifacts"]
    artifact_bucket, artifact_key = artifact[len("s3://") :].split("/", 1)
    result["artifactBytes"] = s3.head_object(Bucket=artifact_bucket, Key=artifact_key)["ContentLength"]

    sagemaker.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": image, "ModelDataUrl": artifact},
    )
    capture_uri = f"s3://{bucket}/data-capture"
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": capture_uri,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]},
        },
    )
    endpoint = f"{name}-endpoint"
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{name}-config")
    sagemaker.get_waiter("endpoint_in_service").wait(
        EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    described_endpoint = sagemaker.describe_endpoint(EndpointName=endpoint)
    result["endpoint"] = {
        "status": described_endpoint["EndpointStatus"],
        "variants": [v["VariantName"] for v in described_endpoint["ProductionVariants"]],
        "capture": described_endpoint.get("DataCaptureConfig", {}),
    }
    say(f"endpoint {endpoint} {described_endpoint['EndpointStatus']}")

    answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/x-image", Body=sample)
    probabilities = json.loads(answer["Body"].read())
    result["prediction"] = {
        "probabilities": probabilities,
        "contentType": answer["ContentType"],
        "variant": answer.get("InvokedProductionVariant"),
    }
    say(f"prediction {probabilities}")

    capture_prefix = f"data-capture/{endpoint}/AllTraffic/"
    keys = []
    for _ in range(100):
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=capture_prefix).get("Contents", [])]
        if keys:
            break
        time.sleep(0.1)
    records = []
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        records += [json.loads(line) for line in body.splitlines() if line.strip()]
    result["captured"] = {
        "keys": keys,
        "records": [
            {
                "inputMatches": base64.b64decode(r["captureData"]["endpointInput"]["data"]) == sample
                if r["captureData"]["endpointInput"]["encoding"] == "BASE64"
                else False,
                "input": {k: v for k, v in r["captureData"]["endpointInput"].items() if k != "data"},
                "output": r["captureData"]["endpointOutput"],
                "eventMetadata": r["eventMetadata"],
                "eventVersion": r.get("eventVersion"),
            }
            for r in records
        ],
    }
    say(f"captured {len(records)} record(s) under s3://{bucket}/{capture_prefix}")

    streams = logs.describe_log_streams(logGroupName=TRAINING_GROUP, logStreamNamePrefix=f"{job}/")
    stream_names = [s["logStreamName"] for s in streams["logStreams"]]
    events = logs.get_log_events(
        logGroupName=TRAINING_GROUP, logStreamName=stream_names[0], startFromHead=True
    )["events"]

    def filtered(pattern: str) -> list:
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName=TRAINING_GROUP, logStreamNamePrefix=f"{job}/", filterPattern=pattern
        )
        return [event["message"] for page in pages for event in page["events"]]

    result["logs"] = {
        "streams": stream_names,
        "firstLines": [event["message"] for event in events[:3]],
        "lines": len(events),
        "validationAccuracy": filtered('"Validation-accuracy"'),
        "trainOrValidation": len(filtered('?"Train-accuracy" ?"Validation-accuracy"')),
        "noSuchTerm": filtered("no-such-term-in-any-line"),
    }
    say(f"{len(events)} log lines in {stream_names[0]}")

    result["identity"] = boto3.client("sts").get_caller_identity()
    result["identity"].pop("ResponseMetadata", None)
    result["endpointUrls"] = {
        service: os.environ.get(f"AWS_ENDPOINT_URL_{service}")
        for service in ("S3", "SAGEMAKER", "SAGEMAKER_RUNTIME", "CLOUDWATCH_LOGS", "STS")
    }
    print("RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
