//! Patient files, circles, care channels and the patient's own pages.

pub mod care;
pub mod channels;
pub mod circle;
pub mod files;
