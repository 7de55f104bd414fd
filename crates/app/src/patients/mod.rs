//! Patient files, the patient's circle and its invitations, care channels
//! and their pinned documents (SPEC 4 and 5).

pub mod channels;
pub mod circle;
pub mod circle_members;
pub mod files;
pub mod invitations;
pub mod pinned;
