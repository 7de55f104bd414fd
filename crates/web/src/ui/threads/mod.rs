//! Discussion pages (SPEC 6): the list, a new thread, a thread with its live
//! messages, attachments, voice messages, the gallery.

mod attachments;
pub(crate) mod pages;

use crate::guard::RouteList;
use crate::WebState;
use axum::Router;

/// Professionals only: new threads, managing a thread.
pub fn routes() -> RouteList {
    pages::routes()
}

/// Everyone signed in: the threads one reaches, their messages and files.
pub fn shared_routes() -> Router<WebState> {
    Router::new().merge(pages::shared_routes()).merge(attachments::routes())
}
