//! Ids for rows that have no typed id of their own (channel participants,
//! notifications, push subscriptions and deliveries): a leaf every module
//! may use, so that none has to import a use case for it.

/// A new id (UUIDv7, sorting by creation time).
pub(crate) fn new_id() -> String {
    cercle_domain::MessageId::new().0.to_string()
}
