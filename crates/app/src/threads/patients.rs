//! The minimal patient file a clinical thread hangs on: a name and a birth
//! date in the active organization. The patient files capability completes
//! it (identity, circles, access rules); until then any member of the
//! organization may open one, and every read and change is audited.

use crate::orgs::OrgScope;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::error::PersonName;
use cercle_domain::PatientFileId;
use cercle_store::threads::{self as store, PatientFileRow};
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

fn view(p: PatientFileRow) -> PatientFile {
    PatientFile {
        id: p.id,
        first_name: p.first_name,
        last_name: p.last_name,
        birth_date: p.birth_date,
    }
}

fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

pub async fn create(ctx: &Ctx, client: &Client, scope: &OrgScope, input: &NewPatientFile) -> AppResult<PatientFile> {
    let first = PersonName::parse(&input.first_name)?.into_string();
    let last = PersonName::parse(&input.last_name)?.into_string();
    let birth = match input.birth_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) if valid_date(d) => Some(d.to_string()),
        Some(_) => return Err(AppError::Input(cercle_domain::InputError::InvalidText)),
    };
    let row = PatientFileRow {
        id: PatientFileId::new().to_string(),
        org_id: scope.org_id.clone(),
        unit_id: scope.root_unit_id.clone(),
        first_name: first,
        last_name: last,
        birth_date: birth,
        created_by: scope.user_id.to_string(),
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    store::insert_patient_file(&mut tx, &row, now).await?;
    let ev = scope
        .event(
            "patient.created",
            AuditAction::Create,
            "patient_file",
            &scope.root_unit_id,
            client,
        )
        .target(&row.id)
        .scope("patient", &row.id);
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(view(row))
}

pub async fn list(ctx: &Ctx, client: &Client, scope: &OrgScope) -> AppResult<Vec<PatientFile>> {
    let mut conn = ctx.store.reader().await?;
    let rows = store::patient_files_of(&mut conn, &scope.org_id).await?;
    drop(conn);
    let ev = scope.event(
        "patient.listed",
        AuditAction::List,
        "patient_file",
        &scope.root_unit_id,
        client,
    );
    audit::record_alone(ctx, ev).await?;
    Ok(rows.into_iter().map(view).collect())
}
