//! The integrated bubble (issue 18, part 1): Cercle as a SMART on FHIR app
//! launched from a clinic's electronic medical record (EMR).
//!
//! - [`registry`]: the EMRs a network administrator registered (issuer,
//!   client id, origins allowed to frame Cercle).
//! - [`launch`]: the EHR launch itself — discovery, authorization code with
//!   PKCE, the `id_token` checked against the EMR's keys, the account
//!   linked to the practitioner, and the patient in context.

pub mod launch;
pub mod registry;
