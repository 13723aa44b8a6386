//! Sign-in state: rate-limit counters, login tokens, sessions and their audit events.

use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, ReturnValue, TransactWriteItem};

use super::{ListQuery, Store, StoreError, TableSpec, classify, keys, n, s, to_item};
use crate::domain::{AuditEvent, LoginTokenRecord, SessionRecord};
use crate::domain::{SessionId, TokenHash};

/// Outcome of counting one attempt against a fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHit {
    /// Attempts in the current window, this one included.
    pub count: u32,
    /// Seconds until the window ends.
    pub retry_after_secs: u64,
}

impl RateLimitHit {
    /// Of several counters, each with its limit: how long to wait when any is over (the longest
    /// wait), or `None` when all are within their limits.
    pub fn retry_after(hits: &[(Self, u32)]) -> Option<u64> {
        hits.iter().filter(|(hit, limit)| hit.count > *limit).map(|(hit, _)| hit.retry_after_secs).max()
    }
}

fn other(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

impl Store {
    /// Counts an attempt for `subject` (already hashed by the caller) in the fixed window
    /// containing `now`. One atomic `ADD`, so concurrent attempts are all counted.
    pub async fn hit_rate_limit(&self, subject: &str, window: Duration, now: i64) -> Result<RateLimitHit, StoreError> {
        let span = i64::try_from(window.as_secs()).unwrap_or(900).max(1);
        let index = now.div_euclid(span);
        let window_end = (index + 1) * span;
        let output = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(format!("RATE#{subject}#{index}")))
            .key("SK", s("RATE"))
            .update_expression("ADD hits :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", n(window_end + 60))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(classify)?;
        let count = output
            .attributes
            .as_ref()
            .and_then(|attributes| attributes.get("hits"))
            .and_then(|value| value.as_n().ok())
            .and_then(|raw| raw.parse::<u32>().ok())
            .ok_or_else(|| StoreError::Malformed("rate-limit counter missing".into()))?;
        Ok(RateLimitHit { count, retry_after_secs: u64::try_from(window_end - now).unwrap_or(1).max(1) })
    }

    pub async fn put_login_token(&self, hash: &TokenHash, record: &LoginTokenRecord) -> Result<(), StoreError> {
        // Filed under the person in GSI1 too, so erasing them finds their unused links.
        let index = [
            ("GSI1PK", s(keys::principal(&record.principal_id))),
            ("GSI1SK", s(keys::token(hash))),
            ("ttl", n(record.expires_at)),
        ];
        self.put_new(to_item(record, keys::token(hash), "TOKEN".into(), index)?).await
    }

    pub async fn get_login_token(&self, hash: &TokenHash) -> Result<Option<LoginTokenRecord>, StoreError> {
        self.get(keys::token(hash), "TOKEN".into()).await
    }

    /// The write that uses up a login token: a delete on condition that it still exists and
    /// has not expired, so of concurrent redemptions exactly one passes.
    fn consume_token_op(&self, token: &TokenHash, now: i64) -> Result<TransactWriteItem, StoreError> {
        let consume = Delete::builder()
            .table_name(&*self.table)
            .key("PK", s(keys::token(token)))
            .key("SK", s("TOKEN"))
            .condition_expression("attribute_exists(PK) AND expires_at > :now")
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(other)?;
        Ok(TransactWriteItem::builder().delete(consume).build())
    }

    /// The write that opens a session: its row (in GSI1 under its person, with a TTL).
    fn open_session_op(&self, session: &SessionRecord) -> Result<TransactWriteItem, StoreError> {
        let item = to_item(
            session,
            keys::session(session.sid),
            "SESSION".into(),
            [
                ("GSI1PK", s(keys::principal(&session.principal_id))),
                ("GSI1SK", s(keys::session(session.sid))),
                ("ttl", n(session.expires_at)),
            ],
        )?;
        let open = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(other)?;
        Ok(TransactWriteItem::builder().put(open).build())
    }

    /// Runs `ops` and the audit event in one transaction; a failed condition is `ConditionFailed`.
    async fn transact_audited(&self, ops: Vec<TransactWriteItem>, audit: &AuditEvent) -> Result<(), StoreError> {
        let result = self
            .db
            .transact_write_items()
            .set_transact_items(Some(ops))
            .transact_items(self.audit_put(audit)?)
            .send()
            .await;
        result.map(|_| ()).map_err(cancelled_as_condition_failed)
    }

    /// Consumes the login token and opens the session in one transaction; the loser of two
    /// concurrent redemptions gets `ConditionFailed`.
    pub async fn start_session(
        &self,
        token: &TokenHash,
        session: &SessionRecord,
        audit: &AuditEvent,
        now: i64,
    ) -> Result<(), StoreError> {
        self.transact_audited(vec![self.consume_token_op(token, now)?, self.open_session_op(session)?], audit).await
    }

    /// Opens a session that no login token backs (a passkey sign-in), with its audit event.
    pub async fn open_session(&self, session: &SessionRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        self.transact_audited(vec![self.open_session_op(session)?], audit).await
    }

    /// Consumes a login token without opening a session (a passkey must follow), with its
    /// audit event; the loser of two concurrent redemptions gets `ConditionFailed`.
    pub async fn consume_login_token(&self, token: &TokenHash, audit: &AuditEvent, now: i64) -> Result<(), StoreError> {
        self.transact_audited(vec![self.consume_token_op(token, now)?], audit).await
    }

    pub async fn get_session(&self, sid: SessionId) -> Result<Option<SessionRecord>, StoreError> {
        self.get(keys::session(sid), "SESSION".into()).await
    }

    /// Deletes the session row (its JWT stops working on the next request) and records why.
    /// `ConditionFailed` means it was already gone.
    pub async fn end_session(&self, sid: SessionId, audit: &AuditEvent) -> Result<(), StoreError> {
        let delete = self.delete_op(keys::session(sid), "SESSION".into(), Some("attribute_exists(PK)"))?;
        self.transact_audited(vec![delete], audit).await
    }

    /// Every live session of a person (GSI1 `PRINCIPAL#{id}`).
    pub async fn sessions_of(&self, principal_id: &str) -> Result<Vec<SessionId>, StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, keys::principal(principal_id));
        query.sk_prefix = Some("SESSION#".into());
        let items = self.query_all(query).await?;
        Ok(items
            .iter()
            .filter_map(|item| item.get("sid").and_then(|v| v.as_s().ok()))
            .filter_map(|sid| SessionId::parse(sid))
            .collect())
    }

    /// Deletes a person's unused sign-in links (found under their GSI1 entry); answers how many.
    pub async fn delete_sign_in_links(&self, principal_id: &str) -> Result<usize, StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, keys::principal(principal_id));
        query.sk_prefix = Some("TOKEN#".into());
        let items = self.query_all(query).await?;
        for item in &items {
            let Some(pk) = item.get("PK").and_then(|v| v.as_s().ok()) else { continue };
            self.db
                .delete_item()
                .table_name(&*self.table)
                .key("PK", s(pk))
                .key("SK", s("TOKEN"))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(items.len())
    }

    /// Deletes sessions (idempotent: a session already gone is fine).
    pub async fn delete_sessions(&self, sessions: &[SessionId]) -> Result<(), StoreError> {
        for sid in sessions {
            self.db
                .delete_item()
                .table_name(&*self.table)
                .key("PK", s(keys::session(*sid)))
                .key("SK", s("SESSION"))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }
}

pub(crate) fn cancelled_as_condition_failed(
    error: aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> StoreError {
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error()
        && cancelled.cancellation_reasons().iter().any(|reason| reason.code() == Some("ConditionalCheckFailed"))
    {
        return StoreError::ConditionFailed;
    }
    classify(error)
}
