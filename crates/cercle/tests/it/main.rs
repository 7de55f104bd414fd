//! All integration tests, in one binary (one link step). Each test starts
//! the real Cercle on port 0 with its own fresh database; tests marked with
//! `backends!` run once on SQLite and once on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod a11y_browser;
mod accounts_api;
mod admin_browser;
mod attachments_api;
mod attachments_browser;
mod attachments_s3;
mod attachments_stream;
mod availability_api;
mod availability_browser;
mod browser;
mod bus;
mod calls_api;
mod calls_browser;
mod calls_forwarding_api;
mod calls_ringing_api;
mod calls_route_api;
mod calls_route_browser;
mod calls_sfu_browser;
mod calls_signal_api;
mod care_browser;
mod channels_api;
mod circle_api;
mod cli;
mod connect_api;
mod connect_browser;
mod crashes;
mod edges_api;
mod faults_storage;
mod fhir_api;
mod fhir_tools;
mod helpers;
mod home_browser;
mod home_pages;
mod idempotency_api;
mod idle_lock_browser;
mod mail_delivery;
mod network_api;
mod network_browser;
mod notifications_api;
mod notifications_browser;
mod orgs_api;
mod patient_join;
mod patient_join_browser;
mod patients_api;
mod professional_routes;
mod profile_browser;
mod push_api;
mod schemathesis;
mod service_accounts_api;
mod sessions_hardening;
mod shared_device;
mod smart_launch;
mod smart_launch_browser;
mod store;
mod store_story;
mod system_texts_api;
mod teams_api;
mod teams_browser;
mod threads_api;
mod threads_browser;
mod time_zones;
mod web;

/// Runs each listed `async fn name(db: Db)` on both databases.
#[macro_export]
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(cercle_testkit::Db::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if cercle_testkit::skip_postgres() {
                        return;
                    }
                    super::$name(cercle_testkit::Db::Postgres).await
                }
            )*
        }
    };
}
