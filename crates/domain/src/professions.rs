//! The health professions a profile can name (SPEC 3), in both languages.
//! Keys are stable; names are what people read.

use crate::Language;

/// (key, French, English)
pub const PROFESSIONS: &[(&str, &str, &str)] = &[
    ("physician", "Médecin", "Physician"),
    ("nurse", "Infirmière ou infirmier", "Nurse"),
    (
        "nurse_auxiliary",
        "Infirmière ou infirmier auxiliaire",
        "Licensed practical nurse",
    ),
    (
        "nurse_practitioner",
        "Infirmière praticienne spécialisée (IPS)",
        "Nurse practitioner",
    ),
    ("pharmacist", "Pharmacienne ou pharmacien", "Pharmacist"),
    (
        "social_worker",
        "Travailleuse sociale ou travailleur social",
        "Social worker",
    ),
    ("occupational_therapist", "Ergothérapeute", "Occupational therapist"),
    ("physiotherapist", "Physiothérapeute", "Physiotherapist"),
    ("dietitian", "Nutritionniste", "Dietitian-nutritionist"),
    ("psychologist", "Psychologue", "Psychologist"),
    ("respiratory_therapist", "Inhalothérapeute", "Respiratory therapist"),
    ("speech_therapist", "Orthophoniste", "Speech-language pathologist"),
    ("audiologist", "Audiologiste", "Audiologist"),
    ("dentist", "Dentiste", "Dentist"),
    ("optometrist", "Optométriste", "Optometrist"),
    ("midwife", "Sage-femme", "Midwife"),
    (
        "psychoeducator",
        "Psychoéducatrice ou psychoéducateur",
        "Psychoeducator",
    ),
    ("paramedic", "Paramédic", "Paramedic"),
    (
        "pharmacy_technician",
        "Technicienne ou technicien en pharmacie",
        "Pharmacy technician",
    ),
    (
        "medical_radiation_technologist",
        "Technologue en imagerie médicale",
        "Medical imaging technologist",
    ),
    (
        "medical_laboratory_technologist",
        "Technologiste médicale ou médical",
        "Medical laboratory technologist",
    ),
    ("sexologist", "Sexologue", "Sexologist"),
    ("chiropractor", "Chiropraticienne ou chiropraticien", "Chiropractor"),
    ("podiatrist", "Podiatre", "Podiatrist"),
];

/// The name of a profession in a language, or None for an unknown key.
pub fn name(key: &str, lang: Language) -> Option<&'static str> {
    PROFESSIONS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, fr, en)| match lang {
            Language::Fr => *fr,
            Language::En => *en,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_names_complete() {
        let mut keys: Vec<_> = PROFESSIONS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), PROFESSIONS.len());
        assert!(PROFESSIONS.iter().all(|(_, fr, en)| !fr.is_empty() && !en.is_empty()));
        assert_eq!(name("pharmacist", Language::Fr), Some("Pharmacienne ou pharmacien"));
        assert_eq!(name("astronaut", Language::En), None);
    }
}
