//! Metrics the use cases record (the web layer records the HTTP ones and
//! renders them all at `/metrics`): through the `metrics` macros, which
//! write to whatever recorder the process installed, or nowhere.

use crate::Ctx;
use std::time::Instant;

/// Measures from now until dropped into a histogram of seconds; dropped on
/// every way out (success, error, cancelled request), so each call counts.
pub struct Timer {
    name: &'static str,
    started: Instant,
}

impl Timer {
    pub fn start(name: &'static str) -> Timer {
        Timer {
            name,
            started: Instant::now(),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        metrics::histogram!(self.name).record(self.started.elapsed().as_secs_f64());
    }
}

/// Sets the queue depth gauges from the database: email and SMS messages
/// waiting to be sent (`cercle_outbox_depth`) and Web Push deliveries
/// waiting (`cercle_push_queue_depth`). Called at each scrape, so the value
/// is the queue's as the scraper reads it, whichever node runs the workers.
/// A failed read leaves the previous value (the database being down is
/// reported by `/readyz`, not here).
pub async fn sample_queues(ctx: &Ctx) {
    let Ok(mut conn) = ctx.store.reader().await else {
        return;
    };
    if let Ok(n) = cercle_store::outbox::waiting_count(&mut conn).await {
        metrics::gauge!("cercle_outbox_depth").set(n as f64);
    }
    if let Ok(n) = cercle_store::push::waiting_count(&mut conn).await {
        metrics::gauge!("cercle_push_queue_depth").set(n as f64);
    }
}
