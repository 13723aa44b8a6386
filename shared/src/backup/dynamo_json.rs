//! DynamoDB's own JSON for an item (`{"S":"…"}`, `{"N":"1"}`, `{"B":"<base64>"}`, …), the form
//! `aws dynamodb` and DynamoDB's S3 exports use, so an archive keeps every type exactly. Written
//! by hand: the SDK's `AttributeValue` has no serde support, and `serde_dynamo` maps items to
//! Rust types, which would blur numbers, sets and binary.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

pub fn item_to_json(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(item.iter().map(|(name, value)| (name.clone(), to_json(value))).collect())
}

pub fn item_from_json(value: &Value) -> Result<HashMap<String, AttributeValue>, String> {
    let object = value.as_object().ok_or("an item is not a JSON object")?;
    object.iter().map(|(name, value)| Ok((name.clone(), from_json(value)?))).collect()
}

fn to_json(value: &AttributeValue) -> Value {
    let blob = |b: &Blob| Value::String(STANDARD.encode(b.as_ref()));
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": blob(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(b) => json!({ "NULL": b }),
        AttributeValue::Ss(set) => json!({ "SS": set }),
        AttributeValue::Ns(set) => json!({ "NS": set }),
        AttributeValue::Bs(set) => json!({ "BS": set.iter().map(blob).collect::<Vec<_>>() }),
        AttributeValue::L(list) => json!({ "L": list.iter().map(to_json).collect::<Vec<_>>() }),
        AttributeValue::M(map) => {
            json!({ "M": map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect::<Map<_, _>>() })
        }
        // A type newer than this SDK: keep the archive honest rather than guess.
        _ => json!({ "UNKNOWN": format!("{value:?}") }),
    }
}

fn from_json(value: &Value) -> Result<AttributeValue, String> {
    let object = value.as_object().filter(|o| o.len() == 1).ok_or_else(|| format!("not a typed value: {value}"))?;
    let Some((kind, inner)) = object.iter().next() else { return Err(format!("not a typed value: {value}")) };
    let text = |v: &Value| v.as_str().map(str::to_owned).ok_or_else(|| format!("{kind}: expected a string"));
    let texts = |v: &Value| -> Result<Vec<String>, String> {
        v.as_array().ok_or_else(|| format!("{kind}: expected a list"))?.iter().map(text).collect()
    };
    let blob = |v: &Value| -> Result<Blob, String> {
        STANDARD.decode(text(v)?).map(Blob::new).map_err(|_| format!("{kind}: not base64"))
    };
    Ok(match kind.as_str() {
        "S" => AttributeValue::S(text(inner)?),
        "N" => AttributeValue::N(text(inner)?),
        "B" => AttributeValue::B(blob(inner)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or("BOOL: expected true or false")?),
        "NULL" => AttributeValue::Null(inner.as_bool().ok_or("NULL: expected true")?),
        "SS" => AttributeValue::Ss(texts(inner)?),
        "NS" => AttributeValue::Ns(texts(inner)?),
        "BS" => AttributeValue::Bs(
            inner.as_array().ok_or("BS: expected a list")?.iter().map(blob).collect::<Result<_, _>>()?,
        ),
        "L" => AttributeValue::L(
            inner.as_array().ok_or("L: expected a list")?.iter().map(from_json).collect::<Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(item_from_json(inner)?),
        other => return Err(format!("unknown attribute type {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_survives_the_round_trip_and_bad_input_is_refused() {
        let item: HashMap<String, AttributeValue> = [
            ("PK", AttributeValue::S("CLIENT#1".into())),
            ("n", AttributeValue::N("12.50".into())),
            ("b", AttributeValue::B(Blob::new(vec![0, 159, 255]))),
            ("t", AttributeValue::Bool(true)),
            ("z", AttributeValue::Null(true)),
            ("ss", AttributeValue::Ss(vec!["a".into(), "b".into()])),
            ("ns", AttributeValue::Ns(vec!["1".into(), "2".into()])),
            ("bs", AttributeValue::Bs(vec![Blob::new(vec![1]), Blob::new(vec![2, 3])])),
            ("l", AttributeValue::L(vec![AttributeValue::S("x".into()), AttributeValue::N("0".into())])),
            ("m", AttributeValue::M([("k".to_owned(), AttributeValue::Bool(false))].into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let json = item_to_json(&item);
        assert_eq!(json["n"], json!({ "N": "12.50" }), "numbers keep their exact text");
        assert_eq!(json["b"], json!({ "B": "AJ//" }));
        assert_eq!(item_from_json(&json).unwrap(), item);

        assert!(item_from_json(&json!({ "a": { "X": "1" } })).is_err());
        assert!(item_from_json(&json!({ "a": { "S": 1 } })).is_err());
        assert!(item_from_json(&json!({ "a": { "S": "1", "N": "1" } })).is_err());
        assert!(item_from_json(&json!({ "a": { "B": "not base64!" } })).is_err());
        assert!(item_from_json(&json!(["not an item"])).is_err());
    }
}
