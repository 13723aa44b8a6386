//! The table definition for the emulator and the tests. In AWS the table comes from
//! `template.yaml`; both must agree (`shared::store::TableSpec` names the shared parts).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use shared::store::{Store, TableSpec};

use crate::{LocalError, aws_error};

/// Creates the table as `template.yaml` does (keys `PK`/`SK`, indexes GSI1 and GSI2, TTL
/// `ttl`) if it does not exist. Answers whether it created it.
pub async fn create_table_if_missing(store: &Store) -> Result<bool, LocalError> {
    let key = |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let attr =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let index = |name: &str, pk: &str, sk: &str| -> Result<GlobalSecondaryIndex, LocalError> {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(pk, KeyType::Hash).map_err(aws_error)?)
            .key_schema(key(sk, KeyType::Range).map_err(aws_error)?)
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()
            .map_err(aws_error)
    };
    let created = store
        .client()
        .create_table()
        .table_name(store.table_name())
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("PK").map_err(aws_error)?)
        .attribute_definitions(attr("SK").map_err(aws_error)?)
        .attribute_definitions(attr("GSI1PK").map_err(aws_error)?)
        .attribute_definitions(attr("GSI1SK").map_err(aws_error)?)
        .attribute_definitions(attr("GSI2PK").map_err(aws_error)?)
        .attribute_definitions(attr("GSI2SK").map_err(aws_error)?)
        .key_schema(key("PK", KeyType::Hash).map_err(aws_error)?)
        .key_schema(key("SK", KeyType::Range).map_err(aws_error)?)
        .global_secondary_indexes(index(TableSpec::GSI1, "GSI1PK", "GSI1SK")?)
        .global_secondary_indexes(index(TableSpec::GSI2, "GSI2PK", "GSI2SK")?)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|se| se.is_resource_in_use_exception()) => return Ok(false),
        Err(e) => return Err(aws_error(e)),
    }
    store
        .client()
        .update_time_to_live()
        .table_name(store.table_name())
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TableSpec::TTL_ATTRIBUTE)
                .build()
                .map_err(aws_error)?,
        )
        .send()
        .await
        .map_err(aws_error)?;
    Ok(true)
}
