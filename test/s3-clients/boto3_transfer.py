"""boto3 managed transfers (multipart, threads) against an S3 endpoint; prints what happened as JSON.

Usage: boto3_transfer.py <endpoint> <bucket> <key> <source file> <destination file>
"""
import json
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint, bucket, key, source, destination = sys.argv[1:6]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
MiB = 1024 * 1024
transfer = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4, use_threads=True)
s3.upload_file(source, bucket, key, Config=transfer)
head = s3.head_object(Bucket=bucket, Key=key)
s3.download_file(bucket, key, destination, Config=transfer)
print(json.dumps({"etag": head["ETag"], "size": head["ContentLength"]}))
