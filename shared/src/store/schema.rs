//! Table definition, used by `portal init` and the test harness. In AWS the table comes from
//! `template.yaml`; both must agree (keys `PK`/`SK`, index `GSI1` on `GSI1PK`/`GSI1SK`, TTL `ttl`).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};

use super::{Store, StoreError, classify};

/// Names shared by the code and `template.yaml`.
pub struct TableSpec;

impl TableSpec {
    pub const GSI1: &'static str = "GSI1";
    pub const TTL_ATTRIBUTE: &'static str = "ttl";
}

fn build_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

impl Store {
    /// Creates the table if it does not exist (emulator and tests only).
    pub async fn create_table_if_missing(&self) -> Result<bool, StoreError> {
        let key = |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        let attr = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
        };
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(TableSpec::GSI1)
            .key_schema(key("GSI1PK", KeyType::Hash).map_err(build_error)?)
            .key_schema(key("GSI1SK", KeyType::Range).map_err(build_error)?)
            .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
            .build()
            .map_err(build_error)?;
        let created = self
            .db
            .create_table()
            .table_name(&*self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("PK").map_err(build_error)?)
            .attribute_definitions(attr("SK").map_err(build_error)?)
            .attribute_definitions(attr("GSI1PK").map_err(build_error)?)
            .attribute_definitions(attr("GSI1SK").map_err(build_error)?)
            .key_schema(key("PK", KeyType::Hash).map_err(build_error)?)
            .key_schema(key("SK", KeyType::Range).map_err(build_error)?)
            .global_secondary_indexes(gsi)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e) if e.as_service_error().is_some_and(|se| se.is_resource_in_use_exception()) => return Ok(false),
            Err(e) => return Err(classify(e)),
        }
        self.db
            .update_time_to_live()
            .table_name(&*self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(TableSpec::TTL_ATTRIBUTE)
                    .build()
                    .map_err(build_error)?,
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(true)
    }
}
