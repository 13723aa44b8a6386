"""Uploads web/dist to the stack's web bucket and invalidates CloudFront (`make deploy`).

    python tools/publish_web.py STACK_NAME [--dist web/dist]

Fingerprinted assets (Vite's assets/*) are cached for a year; everything else (index.html,
logo) must be revalidated, so a deploy shows up at once after the invalidation. Files the new
build no longer has are removed after the upload, so a page open during the deploy still
finds the assets it references until then.
"""

import argparse
import mimetypes
import pathlib
import sys
import time

import boto3


def outputs(cloudformation, stack: str) -> dict:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stack")
    parser.add_argument("--dist", default="web/dist")
    args = parser.parse_args()
    dist = pathlib.Path(args.dist)
    if not (dist / "index.html").is_file():
        print(f"{dist}/index.html is missing: run `make build` first", file=sys.stderr)
        return 1

    session = boto3.session.Session()
    out = outputs(session.client("cloudformation"), args.stack)
    bucket, distribution = out["WebBucketName"], out["DistributionId"]
    s3 = session.client("s3")

    uploaded = set()
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = "public, max-age=31536000, immutable" if key.startswith("assets/") else "no-cache"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type, "CacheControl": cache})
        uploaded.add(key)
        print(f"  uploaded {key} ({content_type})")

    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale += [o["Key"] for o in page.get("Contents", []) if o["Key"] not in uploaded]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start : start + 1000]]})
    print(f"  removed {len(stale)} stale file(s)")

    invalidation = session.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    print(f"Invalidation {invalidation['Invalidation']['Id']} started; the portal is at {out.get('PortalUrl')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
