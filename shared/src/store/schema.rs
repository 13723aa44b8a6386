//! Names the code shares with the table definition in `template.yaml` (and the dev kit's copy
//! for the emulator); both must agree (keys `PK`/`SK`, index `GSI1` on `GSI1PK`/`GSI1SK`, TTL `ttl`).
//! GSI1: sessions by principal, a client's projects, a client's visible deliverables.
//! GSI2: a client's projects by status.

/// Names shared by the code and `template.yaml`.
pub struct TableSpec;

impl TableSpec {
    pub const GSI1: &'static str = "GSI1";
    pub const GSI2: &'static str = "GSI2";
    pub const TTL_ATTRIBUTE: &'static str = "ttl";
}
