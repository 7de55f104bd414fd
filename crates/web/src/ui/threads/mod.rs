//! Discussion pages (SPEC 6): the list, a new thread, a thread with its live
//! messages, attachments, voice messages, the gallery.

mod attachments;
pub(crate) mod pages;

use crate::WebState;
use axum::Router;

pub fn routes() -> Router<WebState> {
    Router::new().merge(pages::routes()).merge(attachments::routes())
}
