"""`make deploy`'s upload step against moto (in process): files, content types, cache headers,
stale files removed, one CloudFront invalidation.   python -m unittest tools/test_publish_web.py"""

import json
import os
import pathlib
import sys
import tempfile
import unittest
from unittest import mock

import boto3
from moto import mock_aws

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import publish_web  # noqa: E402


class PublishWebTest(unittest.TestCase):
    def setUp(self):
        os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
        os.environ.pop("AWS_ENDPOINT_URL", None)

    @mock_aws
    def test_uploads_dist_removes_stale_files_and_invalidates(self):
        s3 = boto3.client("s3")
        cloudfront = boto3.client("cloudfront")
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "t",
                "Comment": "",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "web", "DomainName": "web.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
                "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https", "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0},
            }
        )["Distribution"]["Id"]
        template = {
            "Resources": {"WebBucket": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {
                "WebBucketName": {"Value": {"Ref": "WebBucket"}},
                "DistributionId": {"Value": distribution},
                "PortalUrl": {"Value": "https://portal.example"},
            },
        }
        boto3.client("cloudformation").create_stack(StackName="portal", TemplateBody=json.dumps(template))
        bucket = publish_web.outputs(boto3.client("cloudformation"), "portal")["WebBucketName"]
        s3.put_object(Bucket=bucket, Key="assets/old-1234.js", Body=b"old")

        with tempfile.TemporaryDirectory() as dist:
            root = pathlib.Path(dist)
            (root / "assets").mkdir()
            (root / "index.html").write_text("<!doctype html><title>Portal</title>")
            (root / "assets" / "index-abcd.js").write_text("console.log(1)")
            (root / "logo.svg").write_text("<svg/>")
            with mock.patch.object(sys, "argv", ["publish_web.py", "portal", "--dist", dist]):
                self.assertEqual(publish_web.main(), 0)

        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
        self.assertEqual(keys, ["assets/index-abcd.js", "index.html", "logo.svg"])
        index = s3.head_object(Bucket=bucket, Key="index.html")
        self.assertEqual(index["ContentType"], "text/html")
        self.assertEqual(index["CacheControl"], "no-cache")
        asset = s3.head_object(Bucket=bucket, Key="assets/index-abcd.js")
        self.assertIn("immutable", asset["CacheControl"])
        self.assertIn(s3.head_object(Bucket=bucket, Key="logo.svg")["ContentType"], ("image/svg+xml",))
        invalidations = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
        self.assertEqual(invalidations["Quantity"], 1)

    def test_refuses_without_a_build(self):
        with tempfile.TemporaryDirectory() as empty, mock.patch.object(sys, "argv", ["publish_web.py", "portal", "--dist", empty]):
            self.assertEqual(publish_web.main(), 1)


if __name__ == "__main__":
    unittest.main()
