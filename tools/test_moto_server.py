"""The emulator's mailbox page (`/moto-api/data.json`, as tools/moto_server.py serves it), in
process: `?service=ses` answers with sent mail alone, without walking the tables.
    python -m unittest tools/test_moto_server.py"""

import json
import os
import pathlib
import sys
import unittest

import boto3
from moto import mock_aws
from moto.moto_api._internal.responses import MotoAPIResponse

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import moto_server  # noqa: E402,F401 - installs the patched data.json


class InProcess(unittest.TestCase):
    """moto in this process (mock_aws), with test credentials and no endpoint of a running stack."""

    def setUp(self):
        os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
        os.environ.pop("AWS_ENDPOINT_URL", None)

    @staticmethod
    def create_table(dynamodb):
        """The table "portal", keyed by `pk` alone."""
        dynamodb.create_table(
            TableName="portal",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


class MailboxPageTest(InProcess):

    def page(self, query=""):
        status, _, body = MotoAPIResponse().model_data(None, f"http://localhost/moto-api/data.json{query}", {})
        self.assertEqual(status, 200)
        return json.loads(body)

    @mock_aws
    def test_service_ses_answers_with_mail_and_leaves_the_tables_out(self):
        ses = boto3.client("sesv2")
        ses.create_email_identity(EmailIdentity="portal@agency.example")
        ses.send_email(
            FromEmailAddress="portal@agency.example",
            Destination={"ToAddresses": ["alice@northwind.example"]},
            Content={"Simple": {"Subject": {"Data": "Sign in"}, "Body": {"Html": {"Data": "<a href='x'>go</a>"}}}},
        )
        dynamodb = boto3.client("dynamodb")
        self.create_table(dynamodb)
        dynamodb.put_item(TableName="portal", Item={"pk": {"S": "client#1"}})

        everything = self.page()
        self.assertIn("dynamodb", everything)
        mail_only = self.page("?service=ses")
        self.assertEqual(list(mail_only), ["ses"])
        sent = mail_only["ses"]["Message"]
        self.assertEqual([m["destinations"]["ToAddresses"] for m in sent], [["alice@northwind.example"]])
        self.assertEqual(sent[0]["subject"], "Sign in")


class TransactionTokenTest(InProcess):
    """A transaction sent again with its ClientRequestToken (the SDK's retry after a lost answer)
    succeeds without writing twice, as on DynamoDB; another token still meets the conditions."""


    @mock_aws
    def test_a_retried_transaction_succeeds_once_and_a_new_one_meets_its_condition(self):
        dynamodb = boto3.client("dynamodb")
        self.create_table(dynamodb)

        def append(token, body):
            put = {"TableName": "portal", "Item": {"pk": {"S": "audit#1"}, "body": {"S": body}}}
            put["ConditionExpression"] = "attribute_not_exists(pk)"
            dynamodb.transact_write_items(TransactItems=[{"Put": put}], ClientRequestToken=token)

        append("token-1", "first")
        append("token-1", "retried")  # the same request again: no error, no second write
        item = dynamodb.get_item(TableName="portal", Key={"pk": {"S": "audit#1"}})["Item"]
        self.assertEqual(item["body"]["S"], "first")
        with self.assertRaises(dynamodb.exceptions.TransactionCanceledException):
            append("token-2", "another")


if __name__ == "__main__":
    unittest.main()
