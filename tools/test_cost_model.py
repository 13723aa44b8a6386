"""The cost model (scripts/cost_model.py, `make cost`): the goal and its arithmetic."""

import importlib.util
import pathlib
import unittest

spec = importlib.util.spec_from_file_location(
    "cost_model", pathlib.Path(__file__).resolve().parent.parent / "scripts" / "cost_model.py"
)
cost_model = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cost_model)


class CostModelTest(unittest.TestCase):
    def test_fifty_clients_run_for_under_a_dollar_a_month(self):
        running = sum(cost_model.monthly(50)["running"].values())
        self.assertLess(running, 1.00)

    def test_requests_and_mail_grow_with_the_clients_and_the_fixed_part_does_not(self):
        ten, hundred = cost_model.monthly(10), cost_model.monthly(100)
        self.assertAlmostEqual(hundred["requests"], 10 * ten["requests"])
        self.assertAlmostEqual(hundred["running"]["SES"], 10 * ten["running"]["SES"])
        self.assertEqual(hundred["running"]["EventBridge Scheduler"], ten["running"]["EventBridge Scheduler"])
        self.assertEqual(hundred["monitoring"], ten["monitoring"])


if __name__ == "__main__":
    unittest.main()
