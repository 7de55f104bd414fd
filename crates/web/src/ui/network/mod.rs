//! The network's pages (SPEC 3): search, profiles, one's own profile and
//! professions, the directory, friends, workplaces, invitations and the
//! verification team's queue. Pages call the services in
//! `cercle_app::network`; only file uploads (photo, proof) go through the
//! JSON API, from the page's script.

mod directory;
mod friends;
mod join;
mod parts;
mod people;
pub(crate) mod profile;
mod search;
mod verification;
mod workplaces;

use crate::guard::RouteList;
use crate::WebState;
use axum::Router;

/// Professionals only: the whole network but photos.
pub fn routes() -> RouteList {
    RouteList::new()
        .merge(search::routes())
        .merge(people::routes())
        .merge(directory::routes())
        .merge(friends::routes())
        .merge(workplaces::routes())
        .merge(profile::routes())
        .merge(verification::routes())
        .merge(join::routes())
}

/// Photos, shown beside names on pages everyone signed in sees.
pub fn shared_routes() -> Router<WebState> {
    Router::new()
        .merge(profile::shared_routes())
        .merge(people::shared_routes())
}
