//! CloudWatch metrics as log lines in the Embedded Metric Format: CloudWatch Logs turns the line
//! into a metric, so there is no API call, no client and no permission to add. Written by hand:
//! it is one JSON object, and the EMF crates bring the `metrics` facade and a recorder with them.

use serde_json::{Map, Value, json};

/// The namespace every metric of the portal is published under.
pub const NAMESPACE: &str = "ClientPortal";

/// One EMF line: `values` (name, unit, value) for the dimension `Function` = `function`.
pub fn emf_line(function: &str, values: &[(&str, &str, f64)], timestamp_ms: i64) -> String {
    let definitions: Vec<Value> = values.iter().map(|(name, unit, _)| json!({ "Name": name, "Unit": unit })).collect();
    let mut line = Map::new();
    line.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{ "Namespace": NAMESPACE, "Dimensions": [["Function"]], "Metrics": definitions }],
        }),
    );
    line.insert("Function".into(), json!(function));
    for (name, _, value) in values {
        line.insert((*name).into(), json!(value));
    }
    Value::Object(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_each_metric_and_carries_its_value_beside_the_dimension() {
        let line: Value = serde_json::from_str(&emf_line(
            "portal-NotifyDrain",
            &[("OutboxAgeSeconds", "Seconds", 75.0)],
            1_700_000_000_000,
        ))
        .unwrap();
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000_i64);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "ClientPortal");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        assert_eq!(directive["Metrics"], json!([{ "Name": "OutboxAgeSeconds", "Unit": "Seconds" }]));
        assert_eq!(line["Function"], "portal-NotifyDrain");
        assert_eq!(line["OutboxAgeSeconds"], 75.0);
    }
}
