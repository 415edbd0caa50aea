"""Ready hook: creates the kit's bucket as soon as the emulator serves S3.

LocalStack and MiniStack both run the Python files of /etc/localstack/init/ready.d; botocore ships
with both. The deploy one-shot ensures the bucket too (idempotent), this makes it there first.
"""

import os

import botocore.session

bucket = os.environ.get("SCONES_BUCKET", "scones-images")
region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
s3 = botocore.session.get_session().create_client(
    "s3",
    region_name=region,
    endpoint_url=os.environ.get("AWS_ENDPOINT_URL", "http://localhost:4566"),
    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
)
try:
    s3.head_bucket(Bucket=bucket)
    print(f"bucket {bucket} already exists")
except s3.exceptions.ClientError:
    options = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **options)
    print(f"created bucket {bucket}")
