"""boto3 (Smithy RPC v2 CBOR, botocore's protocol for CloudWatch) against `scones up`'s CloudWatch,
configured by nothing but the printed exports: PutMetricData, GetMetricStatistics, GetMetricData,
an alarm that goes to ALARM, DescribeAlarms, an error by its code. Prints one RESULT line."""

import datetime
import json
import os

import boto3
from botocore.exceptions import ClientError


def main() -> None:
    cloudwatch = boto3.client("cloudwatch")
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    at = now - datetime.timedelta(minutes=1)
    dimensions = [{"Name": "EndpointName", "Value": "python"}]
    cloudwatch.put_metric_data(
        Namespace="Scones/Python",
        MetricData=[
            {"MetricName": "Invocations", "Dimensions": dimensions, "Timestamp": at, "Values": [1, 2], "Counts": [3, 1]},
            {"MetricName": "Invocations", "Dimensions": dimensions, "Timestamp": at, "Value": 4.5},
        ],
    )
    result = {"endpointUrl": os.environ.get("AWS_ENDPOINT_URL_CLOUDWATCH")}
    listed = cloudwatch.list_metrics(Namespace="Scones/Python")["Metrics"]
    result["metrics"] = [m["MetricName"] for m in listed]
    statistics = cloudwatch.get_metric_statistics(
        Namespace="Scones/Python",
        MetricName="Invocations",
        Dimensions=dimensions,
        StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now,
        Period=60,
        Statistics=["SampleCount", "Sum", "Maximum"],
    )["Datapoints"]
    result["statistics"] = [
        {"timestamp": d["Timestamp"].isoformat(), "sampleCount": d["SampleCount"], "sum": d["Sum"], "maximum": d["Maximum"]}
        for d in statistics
    ]
    data = cloudwatch.get_metric_data(
        StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now,
        MetricDataQueries=[
            {
                "Id": "invocations",
                "MetricStat": {
                    "Metric": {"Namespace": "Scones/Python", "MetricName": "Invocations", "Dimensions": dimensions},
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
        ],
    )["MetricDataResults"][0]
    result["metricData"] = {"values": data["Values"], "timestampIsDatetime": isinstance(data["Timestamps"][0], datetime.datetime)}
    cloudwatch.put_metric_alarm(
        AlarmName="python-invocations",
        Namespace="Scones/Python",
        MetricName="Invocations",
        Dimensions=dimensions,
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=2,
        DatapointsToAlarm=1,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    alarm = cloudwatch.describe_alarms(AlarmNames=["python-invocations"])["MetricAlarms"][0]
    result["alarm"] = {
        "state": alarm["StateValue"],
        "reason": alarm["StateReason"],
        "updatedIsDatetime": isinstance(alarm["StateUpdatedTimestamp"], datetime.datetime),
    }
    try:
        cloudwatch.delete_alarms(AlarmNames=["no-such-alarm"])
        result["error"] = None
    except ClientError as error:
        result["error"] = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    print("RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
