//! The patient file a clinical thread hangs on, as the thread pages use it:
//! a name and a birth date. Kept for those callers; the patient files
//! capability ([`crate::patients::files`]) does the work, with its access
//! rules and audit.

use crate::org_scope::OrgScope;
use crate::patients::files::{self, FileInput, ListQuery};
use crate::{AppResult, Client, Ctx};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
pub struct NewPatientFile {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// YYYY-MM-DD
    pub birth_date: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PatientFile {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Option<String>,
}

fn short(p: files::PatientFile) -> PatientFile {
    PatientFile {
        id: p.id,
        first_name: p.first_name,
        last_name: p.last_name,
        birth_date: p.birth_date,
    }
}

/// Opens a file in the organization's root unit.
pub async fn create(ctx: &Ctx, client: &Client, scope: &OrgScope, input: &NewPatientFile) -> AppResult<PatientFile> {
    let input = FileInput {
        first_name: Some(input.first_name.clone()),
        last_name: Some(input.last_name.clone()),
        birth_date: Some(input.birth_date.clone().unwrap_or_default()),
        ..FileInput::default()
    };
    files::create(ctx, client, scope, &input).await.map(short)
}

/// Every file the person may see (not archived), audited.
pub async fn list(ctx: &Ctx, client: &Client, scope: &OrgScope) -> AppResult<Vec<PatientFile>> {
    let query = ListQuery {
        view: Some("all".into()),
        ..ListQuery::default()
    };
    Ok(files::list(ctx, client, scope, &query)
        .await?
        .into_iter()
        .map(short)
        .collect())
}
