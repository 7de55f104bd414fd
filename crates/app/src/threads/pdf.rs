//! A closed discussion thread exported "for the record" (clinical record) as
//! an archival PDF (PDF/A-2u), written with the `krilla` crate.
//!
//! The text is set in DejaVu Sans and DejaVu Sans Bold, embedded in the
//! binary and subset into each file, so any language the fonts cover prints
//! as typed (French, "≥ 38 °C", Greek, Cyrillic, Arabic and Hebrew names...);
//! a character they lack prints as "�". Words are measured and shaped with
//! rustybuzz (Arabic letters join), lines are put in visual order with the
//! Unicode bidirectional algorithm, and wrapped at spaces on US Letter pages
//! with a header (the title) and a footer (the patient, if any, and
//! "Page n / N"). PDF/A-2u also makes every glyph map back to its text, so
//! the record can be searched and copied.

use cercle_domain::Language;

/// One message of the exported thread, already resolved for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMessage {
    pub author: String,
    pub profession: Option<String>,
    /// Already formatted (see [`cercle_domain::local_time::LocalTime`]).
    pub time: String,
    pub body: String,
    /// File names of the attachments.
    pub attachments: Vec<String>,
    pub edited: bool,
    /// A retracted message keeps its place in the record: its author, its
    /// time and a notice, but neither its body nor its attachments.
    pub retracted: bool,
}

/// One entry of the thread's history of calls ("call started by …", "…
/// joined", "call ended, duration …"), already resolved for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCallEntry {
    /// Already formatted.
    pub time: String,
    /// In the export's language.
    pub text: String,
}

/// A closed thread, ready to be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadExport {
    pub title: String,
    pub organization: String,
    pub patient: Option<String>,
    pub participants: Vec<String>,
    /// "Closed by X on <date>", already formatted.
    pub closed: String,
    /// When the export was made, already formatted.
    pub generated: String,
    /// When the export was made (Unix milliseconds): the file's creation date.
    pub generated_at: i64,
    pub lang: Language,
    pub messages: Vec<ExportMessage>,
    /// The thread's calls, oldest first; none: no section.
    pub calls: Vec<ExportCallEntry>,
}

/// The PDF file of a closed thread.
pub fn render(export: &ThreadExport) -> crate::AppResult<Vec<u8>> {
    let fonts = Fonts::load().map_err(crate::AppError::Internal)?;
    let labels = Labels::of(export.lang);
    let pages = lay_out(&fonts, export, &labels);
    let patient = export
        .patient
        .as_deref()
        .map(|p| clean(&fonts, Font::Regular, &format!("{}{}", labels.patient, isolate(p))));
    let header = clean(&fonts, Font::Regular, &export.title);
    assemble(&fonts, &pages, export, &header, patient.as_deref()).map_err(crate::AppError::Internal)
}

/// The pages' content, laid out.
fn lay_out(fonts: &Fonts, export: &ThreadExport, labels: &Labels) -> Vec<Vec<Op>> {
    let mut layout = Layout::new(fonts);
    layout.paragraph(
        &[run(Font::Bold, Tone::Ink, &export.title)],
        TITLE_SIZE,
        TITLE_LEADING,
        0.0,
    );
    layout.paragraph(
        &[run(Font::Regular, Tone::Muted, labels.kind)],
        BODY_SIZE,
        BODY_LEADING,
        0.0,
    );
    layout.space(8.0);
    layout.paragraph(
        &labelled(labels.organization, &export.organization),
        BODY_SIZE,
        META_LEADING,
        0.0,
    );
    if let Some(patient) = export.patient.as_deref() {
        layout.paragraph(&labelled(labels.patient, patient), BODY_SIZE, META_LEADING, 0.0);
    }
    let participants = if export.participants.is_empty() {
        "—".to_string()
    } else {
        let names: Vec<String> = export.participants.iter().map(|p| isolate(p)).collect();
        names.join(", ")
    };
    layout.paragraph(
        &labelled(labels.participants, &participants),
        BODY_SIZE,
        META_LEADING,
        0.0,
    );
    layout.paragraph(
        &[run(Font::Regular, Tone::Ink, &export.closed)],
        BODY_SIZE,
        META_LEADING,
        0.0,
    );
    layout.paragraph(
        &[run(
            Font::Regular,
            Tone::Muted,
            &format!("{}{}", labels.generated_on, export.generated),
        )],
        BODY_SIZE,
        META_LEADING,
        0.0,
    );
    layout.space(4.0);
    layout.rule();
    let count = match export.messages.len() {
        0 => labels.no_messages.to_string(),
        1 => labels.one_message.to_string(),
        n => format!("{n} {}", labels.many_messages),
    };
    layout.paragraph(&[run(Font::Bold, Tone::Ink, &count)], HEADING_SIZE, TITLE_LEADING, 0.0);

    for (index, message) in export.messages.iter().enumerate() {
        if index > 0 {
            layout.space(4.0);
            // The separating rule goes with the message, not at the foot of a page.
            layout.keep(12.0 + 3.0 * BODY_LEADING);
            layout.rule();
        }
        layout_message(&mut layout, message, labels);
    }

    if !export.calls.is_empty() {
        layout.space(8.0);
        layout.keep(12.0 + 3.0 * BODY_LEADING);
        layout.rule();
        layout.paragraph(
            &[run(Font::Bold, Tone::Ink, labels.calls)],
            HEADING_SIZE,
            TITLE_LEADING,
            0.0,
        );
        for entry in &export.calls {
            layout.paragraph(
                &[
                    run(Font::Regular, Tone::Muted, &format!("{} · ", entry.time)),
                    run(Font::Regular, Tone::Ink, &entry.text),
                ],
                BODY_SIZE,
                BODY_LEADING,
                0.0,
            );
        }
    }

    layout.finish()
}

// ---------------------------------------------------------------------------
// Fixed labels

struct Labels {
    kind: &'static str,
    organization: &'static str,
    patient: &'static str,
    participants: &'static str,
    generated_on: &'static str,
    no_messages: &'static str,
    one_message: &'static str,
    many_messages: &'static str,
    attachment: &'static str,
    edited: &'static str,
    retracted: &'static str,
    calls: &'static str,
}

impl Labels {
    fn of(lang: Language) -> Self {
        // French puts a no-break space before the colon.
        match lang {
            Language::Fr => Labels {
                kind: "Discussion fermée — copie pour le dossier",
                organization: "Organisation\u{a0}: ",
                patient: "Patient\u{a0}: ",
                participants: "Participants\u{a0}: ",
                generated_on: "Généré le ",
                no_messages: "Aucun message",
                one_message: "1 message",
                many_messages: "messages",
                attachment: "Pièce jointe\u{a0}: ",
                edited: "(modifié)",
                retracted: "Message retiré par l'auteur",
                calls: "Appels",
            },
            Language::En => Labels {
                kind: "Closed discussion — copy for the record",
                organization: "Organization: ",
                patient: "Patient: ",
                participants: "Participants: ",
                generated_on: "Generated on ",
                no_messages: "No messages",
                one_message: "1 message",
                many_messages: "messages",
                attachment: "Attachment: ",
                edited: "(edited)",
                retracted: "Message retracted by the author",
                calls: "Calls",
            },
        }
    }
}

fn labelled(label: &str, value: &str) -> [Run; 2] {
    [
        run(Font::Bold, Tone::Ink, label),
        run(Font::Regular, Tone::Ink, &isolate(value)),
    ]
}

/// Text typed by someone (a name, a file name) set apart for the
/// bidirectional algorithm (FSI ... PDI), so that an Arabic name does not
/// carry the numbers after it into its right-to-left order.
fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// Whether a character only steers the bidirectional algorithm (it is never drawn).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn layout_message(layout: &mut Layout, message: &ExportMessage, labels: &Labels) {
    layout.space(6.0);
    // Never leave an author line alone at the bottom of a page.
    layout.keep(3.0 * BODY_LEADING);
    let mut head = vec![run(Font::Bold, Tone::Ink, &isolate(&message.author))];
    if let Some(profession) = message.profession.as_deref().filter(|p| !p.trim().is_empty()) {
        head.push(run(Font::Regular, Tone::Muted, &format!(" · {}", isolate(profession))));
    }
    head.push(run(Font::Regular, Tone::Muted, &format!(" · {}", message.time)));
    if message.edited && !message.retracted {
        head.push(run(Font::Regular, Tone::Muted, &format!(" {}", labels.edited)));
    }
    layout.paragraph(&head, BODY_SIZE, BODY_LEADING, 0.0);
    if message.retracted {
        layout.paragraph(
            &[run(Font::Regular, Tone::Muted, labels.retracted)],
            BODY_SIZE,
            BODY_LEADING,
            INDENT,
        );
        return;
    }
    let body = message.body.trim_end();
    if !body.is_empty() {
        for line in body.lines() {
            layout.text(&[run(Font::Regular, Tone::Ink, line)], BODY_SIZE, BODY_LEADING, INDENT);
        }
    }
    for name in &message.attachments {
        layout.paragraph(
            &[
                run(Font::Regular, Tone::Muted, labels.attachment),
                run(Font::Regular, Tone::Ink, &isolate(name)),
            ],
            BODY_SIZE,
            BODY_LEADING,
            INDENT,
        );
    }
}

// ---------------------------------------------------------------------------
// Page geometry (points, origin at the bottom left as in PDF): US Letter.

const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 54.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN;
const INDENT: f32 = 12.0;

const TITLE_SIZE: f32 = 16.0;
const TITLE_LEADING: f32 = 21.0;
const HEADING_SIZE: f32 = 12.0;
const BODY_SIZE: f32 = 10.0;
const BODY_LEADING: f32 = 13.5;
const META_LEADING: f32 = 14.0;
const SMALL_SIZE: f32 = 8.5;
const HEADER_BASELINE: f32 = PAGE_HEIGHT - 34.0;
const HEADER_RULE: f32 = PAGE_HEIGHT - 42.0;
const FOOTER_BASELINE: f32 = 32.0;

// ---------------------------------------------------------------------------
// Fonts: DejaVu Sans (Bitstream Vera licence, crates/app/fonts/LICENSE-DejaVu.txt),
// embedded in the binary; krilla writes only the glyphs a document uses.

static REGULAR_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

/// The two faces, for shaping (measuring) with rustybuzz and for drawing with krilla.
struct Fonts {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
    pdf_regular: krilla::text::Font,
    pdf_bold: krilla::text::Font,
}

impl Fonts {
    fn load() -> Result<Self, String> {
        let face = |data: &'static [u8]| rustybuzz::Face::from_slice(data, 0).ok_or("font: unreadable face");
        let pdf = |data: &'static [u8]| krilla::text::Font::new(data.into(), 0).ok_or("font: unreadable face");
        Ok(Fonts {
            regular: face(REGULAR_TTF)?,
            bold: face(BOLD_TTF)?,
            pdf_regular: pdf(REGULAR_TTF)?,
            pdf_bold: pdf(BOLD_TTF)?,
        })
    }

    fn face(&self, font: Font) -> &rustybuzz::Face<'static> {
        match font {
            Font::Regular => &self.regular,
            Font::Bold => &self.bold,
        }
    }

    fn pdf(&self, font: Font) -> krilla::text::Font {
        match font {
            Font::Regular => self.pdf_regular.clone(),
            Font::Bold => self.pdf_bold.clone(),
        }
    }

    fn has_glyph(&self, font: Font, c: char) -> bool {
        self.face(font).glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// Width of a shaped text, in points.
    fn width(&self, font: Font, text: &str, size: f32) -> f32 {
        let text: String = text.chars().filter(|&c| !is_bidi_control(c)).collect();
        if text.is_empty() {
            return 0.0;
        }
        let face = self.face(font);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i64 = shaped.glyph_positions().iter().map(|p| i64::from(p.x_advance)).sum();
        units as f32 * size / f32::from(face.units_per_em() as u16).max(1.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Ink,
    Muted,
}

impl Tone {
    fn gray(self) -> u8 {
        match self {
            Tone::Ink => 0,
            Tone::Muted => 97,
        }
    }
}

/// A piece of text in one font and tone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    font: Font,
    tone: Tone,
    text: String,
}

fn run(font: Font, tone: Tone, text: &str) -> Run {
    Run {
        font,
        tone,
        text: text.to_string(),
    }
}

/// Text ready to be laid out with a font: a tab is four spaces, invisible
/// format characters the font lacks disappear, paragraph separators are
/// spaces, and any other character the font has no glyph for is U+FFFD "�"
/// (PDF/A forbids drawing the font's .notdef glyph). Bidirectional controls
/// stay for the line's ordering; they are not drawn.
fn clean(fonts: &Fonts, font: Font, text: &str) -> String {
    use unicode_bidi::BidiClass;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push_str("    "),
            '\u{2029}' | '\u{2028}' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c if is_bidi_control(c) || fonts.has_glyph(font, c) => out.push(c),
            c => match unicode_bidi::bidi_class(c) {
                BidiClass::BN => {}
                _ => out.push('\u{fffd}'),
            },
        }
    }
    out
}

/// Appends text to a line, merging with the last run when the style matches.
fn push_run(line: &mut Vec<Run>, font: Font, tone: Tone, text: &str) {
    match line.last_mut() {
        Some(last) if last.font == font && last.tone == tone => last.text.push_str(text),
        _ => line.push(run(font, tone, text)),
    }
}

fn runs_width(fonts: &Fonts, runs: &[Run], size: f32) -> f32 {
    runs.iter().map(|r| fonts.width(r.font, &r.text, size)).sum()
}

/// Breaks a paragraph (no line breaks inside, already cleaned) into lines at
/// most `max` points wide, at spaces; a word wider than a line is cut wherever
/// it must be. Leading spaces of the paragraph are kept (indentation), spaces
/// at a break are dropped. An empty paragraph is one empty line.
fn wrap(fonts: &Fonts, runs: &[Run], size: f32, max: f32) -> Vec<Vec<Run>> {
    enum Piece {
        Space(Font, Tone),
        Word(Vec<Run>),
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for r in runs {
        for chunk in r.text.split_inclusive(' ') {
            let (word, space) = match chunk.strip_suffix(' ') {
                Some(word) => (word, true),
                None => (chunk, false),
            };
            if !word.is_empty() {
                match pieces.last_mut() {
                    Some(Piece::Word(fragments)) => push_run(fragments, r.font, r.tone, word),
                    _ => pieces.push(Piece::Word(vec![run(r.font, r.tone, word)])),
                }
            }
            if space {
                pieces.push(Piece::Space(r.font, r.tone));
            }
        }
    }

    let mut lines = Vec::new();
    let mut line: Vec<Run> = Vec::new();
    let mut width = 0.0_f32;
    let mut spaces: Vec<(Font, Tone)> = Vec::new();
    let fits = |w: f32| w <= max + 0.001;
    for piece in pieces {
        let fragments = match piece {
            Piece::Space(font, tone) => {
                spaces.push((font, tone));
                continue;
            }
            Piece::Word(fragments) => fragments,
        };
        let word_width = runs_width(fonts, &fragments, size);
        let space_width: f32 = spaces.iter().map(|(f, _)| fonts.width(*f, " ", size)).sum();
        if !fits(width + space_width + word_width) {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            spaces.clear();
        }
        for (font, tone) in spaces.drain(..) {
            push_run(&mut line, font, tone, " ");
            width += fonts.width(font, " ", size);
        }
        if fits(width + word_width) {
            for f in &fragments {
                push_run(&mut line, f.font, f.tone, &f.text);
            }
            width += word_width;
            continue;
        }
        // A word longer than a whole line: cut it.
        for f in &fragments {
            let mut buf = [0u8; 4];
            for c in f.text.chars() {
                let c = c.encode_utf8(&mut buf);
                let w = fonts.width(f.font, c, size);
                if !fits(width + w) && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                push_run(&mut line, f.font, f.tone, c);
                width += w;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts text to `max` points, ending it with an ellipsis when cut.
fn truncate(fonts: &Fonts, font: Font, text: &str, size: f32, max: f32) -> String {
    if fonts.width(font, text, size) <= max {
        return text.to_string();
    }
    let ellipsis = fonts.width(font, "…", size);
    let mut out = text.to_string();
    while !out.is_empty() && fonts.width(font, &out, size) + ellipsis > max {
        out.pop();
    }
    let mut out = out.trim_end_matches(' ').to_string();
    out.push('…');
    out
}

#[derive(Debug, Clone)]
enum Op {
    /// A line of text; `auto` lines take their direction from their first
    /// strong character (a message line in Arabic is right-aligned), the
    /// others are left to right.
    Text {
        x: f32,
        y: f32,
        size: f32,
        runs: Vec<Run>,
        auto: bool,
    },
    Rule {
        y: f32,
    },
}

/// Flows content down the pages.
struct Layout<'f> {
    fonts: &'f Fonts,
    done: Vec<Vec<Op>>,
    current: Vec<Op>,
    /// Baseline of the last line, or the top of the content area.
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Layout {
            fonts,
            done: Vec::new(),
            current: Vec::new(),
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.current));
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= TOP
    }

    /// Starts a new page unless `height` points still fit on this one.
    fn keep(&mut self, height: f32) {
        if self.y - height < BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    fn space(&mut self, height: f32) {
        if !self.at_top() {
            self.y -= height;
        }
    }

    fn rule(&mut self) {
        if self.at_top() {
            return;
        }
        self.keep(12.0);
        if !self.at_top() {
            self.y -= 6.0;
            self.current.push(Op::Rule { y: self.y });
        }
    }

    fn line(&mut self, runs: Vec<Run>, size: f32, leading: f32, indent: f32, auto: bool) {
        if self.y - leading < BOTTOM {
            self.new_page();
        }
        self.y -= leading;
        if !runs.is_empty() {
            self.current.push(Op::Text {
                x: MARGIN + indent,
                y: self.y,
                size,
                runs,
                auto,
            });
        }
    }

    fn paragraph(&mut self, runs: &[Run], size: f32, leading: f32, indent: f32) {
        self.flow(runs, size, leading, indent, false);
    }

    /// A paragraph written by a person: its direction is its own.
    fn text(&mut self, runs: &[Run], size: f32, leading: f32, indent: f32) {
        self.flow(runs, size, leading, indent, true);
    }

    fn flow(&mut self, runs: &[Run], size: f32, leading: f32, indent: f32, auto: bool) {
        let fonts = self.fonts;
        let runs: Vec<Run> = runs
            .iter()
            .map(|r| run(r.font, r.tone, &clean(fonts, r.font, &r.text)))
            .collect();
        for line in wrap(fonts, &runs, size, CONTENT_WIDTH - indent) {
            self.line(line, size, leading, indent, auto);
        }
    }

    fn finish(mut self) -> Vec<Vec<Op>> {
        if !self.current.is_empty() || self.done.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

// ---------------------------------------------------------------------------
// Drawing, with krilla

/// One piece of a line in visual order: a style and a direction.
struct Segment {
    font: Font,
    tone: Tone,
    text: String,
    rtl: bool,
}

/// The pieces of a line from left to right (the Unicode bidirectional
/// algorithm), each in one style and one direction.
fn visual_segments(runs: &[Run], auto: bool) -> (Vec<Segment>, bool) {
    use unicode_bidi::{BidiInfo, Level};
    let mut text = String::new();
    let mut styles: Vec<(std::ops::Range<usize>, Font, Tone)> = Vec::new();
    for r in runs {
        let start = text.len();
        text.push_str(&r.text);
        styles.push((start..text.len(), r.font, r.tone));
    }
    let base = if auto { None } else { Some(Level::ltr()) };
    let info = BidiInfo::new(&text, base);
    let mut rtl_line = false;
    let mut segments = Vec::new();
    for para in &info.paragraphs {
        rtl_line |= para.level.is_rtl();
        let (levels, level_runs) = info.visual_runs(para, para.range.clone());
        for range in level_runs {
            let rtl = levels.get(range.start).is_some_and(|l| l.is_rtl());
            let mut pieces: Vec<Segment> = styles
                .iter()
                .filter_map(|(style, font, tone)| {
                    let start = style.start.max(range.start);
                    let end = style.end.min(range.end);
                    if start >= end {
                        return None;
                    }
                    let drawn: String = text[start..end].chars().filter(|&c| !is_bidi_control(c)).collect();
                    (!drawn.is_empty()).then_some(Segment {
                        font: *font,
                        tone: *tone,
                        text: drawn,
                        rtl,
                    })
                })
                .collect();
            if rtl {
                pieces.reverse();
            }
            segments.extend(pieces);
        }
    }
    (segments, rtl_line && auto)
}

fn fill(tone: Tone) -> krilla::paint::Fill {
    let gray = tone.gray();
    krilla::paint::Fill {
        paint: krilla::color::rgb::Color::new(gray, gray, gray).into(),
        ..Default::default()
    }
}

fn draw_text(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &Fonts,
    x: f32,
    y: f32,
    size: f32,
    runs: &[Run],
    auto: bool,
) {
    use krilla::text::TextDirection;
    let (segments, right_aligned) = visual_segments(runs, auto);
    let mut x = if right_aligned {
        let width: f32 = segments.iter().map(|s| fonts.width(s.font, &s.text, size)).sum();
        (MARGIN + CONTENT_WIDTH - width).max(x)
    } else {
        x
    };
    for segment in segments {
        if segment.text.is_empty() {
            continue;
        }
        surface.set_fill(Some(fill(segment.tone)));
        let direction = if segment.rtl {
            TextDirection::RightToLeft
        } else {
            TextDirection::LeftToRight
        };
        surface.draw_text(
            krilla::geom::Point::from_xy(x, PAGE_HEIGHT - y),
            fonts.pdf(segment.font),
            size,
            &segment.text,
            false,
            direction,
        );
        x += fonts.width(segment.font, &segment.text, size);
    }
}

fn draw_rule(surface: &mut krilla::surface::Surface<'_>, y: f32, gray: u8) {
    let mut path = krilla::geom::PathBuilder::new();
    path.move_to(MARGIN, PAGE_HEIGHT - y);
    path.line_to(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - y);
    let Some(path) = path.finish() else { return };
    surface.set_fill(None);
    surface.set_stroke(Some(krilla::paint::Stroke {
        paint: krilla::color::rgb::Color::new(gray, gray, gray).into(),
        width: 0.5,
        ..Default::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

/// Header, body and footer of one page.
#[allow(clippy::too_many_arguments)]
fn draw_page(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &Fonts,
    ops: &[Op],
    title: &str,
    patient: Option<&str>,
    page: usize,
    total: usize,
) {
    let header = truncate(fonts, Font::Regular, title, SMALL_SIZE, CONTENT_WIDTH);
    draw_text(
        surface,
        fonts,
        MARGIN,
        HEADER_BASELINE,
        SMALL_SIZE,
        &[run(Font::Regular, Tone::Muted, &header)],
        false,
    );
    draw_rule(surface, HEADER_RULE, 179);
    for op in ops {
        match op {
            Op::Text { x, y, size, runs, auto } => draw_text(surface, fonts, *x, *y, *size, runs, *auto),
            Op::Rule { y } => draw_rule(surface, *y, 204),
        }
    }
    if let Some(patient) = patient {
        let text = truncate(fonts, Font::Regular, patient, SMALL_SIZE, CONTENT_WIDTH * 0.7);
        draw_text(
            surface,
            fonts,
            MARGIN,
            FOOTER_BASELINE,
            SMALL_SIZE,
            &[run(Font::Regular, Tone::Muted, &text)],
            false,
        );
    }
    let number = format!("Page {page} / {total}");
    let x = PAGE_WIDTH - MARGIN - fonts.width(Font::Regular, &number, SMALL_SIZE);
    draw_text(
        surface,
        fonts,
        x,
        FOOTER_BASELINE,
        SMALL_SIZE,
        &[run(Font::Regular, Tone::Muted, &number)],
        false,
    );
}

/// The creation date of the file (UTC), which PDF/A requires.
fn pdf_date(unix_ms: i64) -> krilla::metadata::DateTime {
    const MAX_MS: i64 = 253_402_300_799_000; // 9999-12-31T23:59:59Z
    let at = jiff::Timestamp::from_millisecond(unix_ms.clamp(0, MAX_MS)).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let t = jiff::tz::TimeZone::UTC.to_datetime(at);
    let narrow = |v: i8| u8::try_from(v).unwrap_or(0);
    krilla::metadata::DateTime::new(u16::try_from(t.year()).unwrap_or(1970))
        .month(narrow(t.month()))
        .day(narrow(t.day()))
        .hour(narrow(t.hour()))
        .minute(narrow(t.minute()))
        .second(narrow(t.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// The whole file, PDF/A-2u (archival, with the text's Unicode mapping).
fn assemble(
    fonts: &Fonts,
    pages: &[Vec<Op>],
    export: &ThreadExport,
    header: &str,
    patient: Option<&str>,
) -> Result<Vec<u8>, String> {
    use krilla::configure::{Archival, ConfigurationBuilder, Validator};
    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::A(Archival::A2_U))
        .finish()
        .map_err(|e| format!("pdf configuration: {e:?}"))?;
    let settings = krilla::SerializeSettings {
        configuration,
        enable_tagging: false,
        ..Default::default()
    };
    let mut document = krilla::Document::new_with(settings);
    let lang = match export.lang {
        Language::Fr => "fr",
        Language::En => "en",
    };
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(export.title.clone())
            .language(lang.to_string())
            .creator("Cercle".to_string())
            .producer("Cercle".to_string())
            .creation_date(pdf_date(export.generated_at)),
    );
    let size = krilla::page::PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("pdf: page size")?;
    let total = pages.len();
    for (index, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(size.clone());
        let mut surface = page.surface();
        draw_page(&mut surface, fonts, ops, header, patient, index + 1, total);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("pdf: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn message(author: &str, profession: Option<&str>, time: &str, body: &str) -> ExportMessage {
        ExportMessage {
            author: author.to_string(),
            profession: profession.map(str::to_string),
            time: time.to_string(),
            body: body.to_string(),
            attachments: Vec::new(),
            edited: false,
            retracted: false,
        }
    }

    const ACCENTED: &str = "« Bonjour Hélène, la pâtisserie à l'hôpital Enfant-Jésus ? Ça coûte 12 € — voilà »";

    fn french_thread() -> ThreadExport {
        let mut first = message(
            "Dre Amélie Gagnon",
            Some("Médecin"),
            &format_local(1_795_374_300_000, Language::Fr),
            &format!("{ACCENTED}\nDeuxième ligne : naïf, Noël, août, « œuvre » – fin… Œdème ÿ ’apostrophe’"),
        );
        first.attachments = vec![
            "radiographie_thoracique.pdf".to_string(),
            "Compte-rendu (v2).docx".to_string(),
        ];
        first.edited = true;
        let mut second = message(
            "Loïc Béliveau",
            Some("Infirmier"),
            &format_local(1_795_374_600_000, Language::Fr),
            "Texte confidentiel retiré",
        );
        second.retracted = true;
        second.attachments = vec!["retiree.png".to_string()];
        let third = message(
            "Zoë 李",
            None,
            &format_local(1_784_140_200_000, Language::Fr),
            "Barre oblique inverse \\ et parenthèses (ouvrante et fermante)",
        );
        ThreadExport {
            title: "Suivi post-opératoire — Mme Lefèbvre (chambre 12)".to_string(),
            organization: "CIUSSS de la Capitale-Nationale".to_string(),
            patient: Some("Hélène Côté, 1952-03-14".to_string()),
            participants: vec![
                "Dre Amélie Gagnon".to_string(),
                "Loïc Béliveau".to_string(),
                "Zoë Œuvray".to_string(),
            ],
            closed: "Fermée par Dre Amélie Gagnon le 22 novembre 2026, 14 h 05".to_string(),
            generated: format_local(1_795_378_000_000, Language::Fr),
            generated_at: 1_795_378_000_000,
            lang: Language::Fr,
            messages: vec![first, second, third],
            calls: vec![
                ExportCallEntry {
                    time: format_local(1_795_374_400_000, Language::Fr),
                    text: "Appel vidéo lancé par Loïc Béliveau".to_string(),
                },
                ExportCallEntry {
                    time: format_local(1_795_374_500_000, Language::Fr),
                    text: "Appel terminé, durée 1 min 40 s".to_string(),
                },
            ],
        }
    }

    fn english_thread() -> ThreadExport {
        let mut first = message(
            "Dr. Sarah O'Neil",
            Some("Physician"),
            &format_local(1_784_140_200_000, Language::En),
            "Wound looks clean.\n\nSee the photo.",
        );
        first.attachments = vec!["wound-day3.jpg".to_string()];
        first.edited = true;
        let mut second = message(
            "Marc Tremblay",
            Some("Nurse"),
            &format_local(1_784_143_800_000, Language::En),
            "oops",
        );
        second.retracted = true;
        ThreadExport {
            title: "Post-op follow-up".to_string(),
            organization: "Montreal General".to_string(),
            patient: None,
            participants: vec!["Dr. Sarah O'Neil".to_string(), "Marc Tremblay".to_string()],
            closed: "Closed by Dr. Sarah O'Neil on July 15, 2026, 3:00 p.m.".to_string(),
            generated: format_local(1_784_150_000_000, Language::En),
            generated_at: 1_784_150_000_000,
            lang: Language::En,
            messages: vec![first, second],
            calls: Vec::new(),
        }
    }

    fn long_thread() -> ThreadExport {
        let words = [
            "anticoagulation",
            "à",
            "surveiller",
            "INR",
            "de",
            "contrôle",
            "demain",
            "matin,",
            "svp",
        ];
        let body: Vec<&str> = (0..2500).map(|i| words[i % words.len()]).collect();
        let mut messages = vec![message(
            "Amélie",
            Some("Médecin"),
            "1er mars 2026, 9 h 00",
            &body.join(" "),
        )];
        for i in 0..40 {
            messages.push(message(
                &format!("Auteur {i}"),
                None,
                "2 mars 2026, 10 h 00",
                &format!("Message numéro {i}"),
            ));
        }
        messages.push(message("Dernier", None, "3 mars 2026, 8 h 00", "Fin du fil"));
        ThreadExport {
            messages,
            ..french_thread()
        }
    }

    /// Runs a poppler tool on a PDF; None when CERCLE_SKIP_PDFTOTEXT=1. A
    /// missing tool fails the test.
    fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
        if std::env::var("CERCLE_SKIP_PDFTOTEXT").as_deref() == Ok("1") {
            eprintln!("!! CERCLE_SKIP_PDFTOTEXT=1: the PDF is NOT checked with {tool}");
            return None;
        }
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "cercle-pdf-test-{}-{}.pdf",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, pdf).unwrap();
        let output = Command::new(tool).args(args).arg(&path).arg("-").output();
        let _ = std::fs::remove_file(&path);
        let output = match output {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "{tool} is missing: install it with: sudo apt-get install -y poppler-utils \
                 (or set CERCLE_SKIP_PDFTOTEXT=1 to skip this check)"
            ),
            Err(e) => panic!("{tool}: {e}"),
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && stderr.trim().is_empty(), "{tool}: {stderr}");
        Some(String::from_utf8(output.stdout).unwrap())
    }

    /// Text of a PDF through poppler's pdftotext, whitespace collapsed, then
    /// its pdfinfo (title, producer, version, pages).
    fn pdftotext(pdf: &[u8]) -> Option<String> {
        let text = normalize(&poppler("pdftotext", &["-enc", "UTF-8"], pdf)?);
        // pdfinfo reads the file named last; "-" is not a file for it.
        let info = info(pdf)?;
        assert!(info.contains("Producer: Cercle"), "{info}");
        assert!(info.contains("PDF version: 1.7"), "{info}");
        Some(format!("{text} {info}"))
    }

    fn info(pdf: &[u8]) -> Option<String> {
        if std::env::var("CERCLE_SKIP_PDFTOTEXT").as_deref() == Ok("1") {
            return None;
        }
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "cercle-pdf-info-{}-{}.pdf",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, pdf).unwrap();
        let output = Command::new("pdfinfo").args(["-enc", "UTF-8"]).arg(&path).output();
        let _ = std::fs::remove_file(&path);
        let output = output.expect("pdfinfo (poppler-utils) installed");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && stderr.trim().is_empty(), "pdfinfo: {stderr}");
        Some(normalize(&String::from_utf8(output.stdout).unwrap()))
    }

    fn pages_of(pdf: &[u8]) -> Option<usize> {
        let info = info(pdf)?;
        let at = info.find("Pages: ").unwrap() + "Pages: ".len();
        Some(info[at..].split(' ').next().unwrap().parse().unwrap())
    }

    /// Whitespace collapsed; without the embedding marks pdftotext puts
    /// around right-to-left text (U+202B ... U+202C).
    fn normalize(text: &str) -> String {
        let text: String = text.chars().filter(|&c| !is_bidi_control(c)).collect();
        text.split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn assert_has(text: &str, expected: &str) {
        let expected = normalize(expected);
        assert!(
            text.contains(&expected),
            "{expected:?} not in the extracted text:\n{text}"
        );
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn file_is_pdf_a_2u_with_embedded_fonts() {
        let pdf = render(&french_thread()).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"), "{:?}", &pdf[..16]);
        assert!(pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
        // XMP metadata claiming PDF/A-2u (ISO 19005-2, level U).
        let xmp = String::from_utf8_lossy(&pdf);
        assert!(
            xmp.contains("<pdfaid:part>2</pdfaid:part>") || xmp.contains("pdfaid:part=\"2\""),
            "no pdfaid:part 2"
        );
        assert!(
            xmp.contains("<pdfaid:conformance>U</pdfaid:conformance>") || xmp.contains("pdfaid:conformance=\"U\""),
            "no pdfaid:conformance U"
        );
        // An sRGB output intent, the fonts embedded (TrueType programs).
        assert!(contains(&pdf, b"/GTS_PDFA1"), "no PDF/A output intent");
        assert!(contains(&pdf, b"/DestOutputProfile"));
        assert!(contains(&pdf, b"/FontFile2"), "fonts are embedded");
        assert!(contains(&pdf, b"DejaVuSans-Bold"));
        assert!(contains(&pdf, b"/ToUnicode"));
        // Subset: far smaller than the two fonts (1.4 MB).
        assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
        if let Some(info) = info(&pdf) {
            assert!(info.contains("Pages: 1"), "{info}");
            assert!(
                info.contains("Title: Suivi post-opératoire — Mme Lefèbvre (chambre 12)"),
                "{info}"
            );
        }
        let pdf = render(&english_thread()).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(contains(&pdf, b"/Lang(en)"));
        assert!(contains(&render(&french_thread()).unwrap(), b"/Lang(fr)"));
    }

    #[test]
    fn empty_thread_is_one_valid_page() {
        let export = ThreadExport {
            title: String::new(),
            organization: String::new(),
            patient: None,
            participants: Vec::new(),
            closed: String::new(),
            generated: String::new(),
            generated_at: 0,
            lang: Language::En,
            messages: Vec::new(),
            calls: Vec::new(),
        };
        let pdf = render(&export).unwrap();
        let Some(text) = pdftotext(&pdf) else { return };
        assert_has(&text, "No messages");
        assert_has(&text, "Pages: 1");
    }

    #[test]
    fn long_body_wraps_and_spans_several_pages() {
        let export = long_thread();
        let fonts = Fonts::load().unwrap();
        let pages = lay_out(&fonts, &export, &Labels::of(export.lang));
        assert!(pages.len() >= 3, "{} pages", pages.len());
        // No text runs below the bottom margin or above the top one.
        for op in pages.iter().flatten() {
            if let Op::Text { y, .. } = op {
                assert!((BOTTOM..=TOP).contains(y), "{y}");
            }
        }
        let pdf = render(&export).unwrap();
        if let Some(count) = pages_of(&pdf) {
            assert_eq!(count, pages.len());
        }

        // The body's lines fit the width and lose no word.
        let body = &export.messages[0].body;
        let lines = wrap(
            &fonts,
            &[run(Font::Regular, Tone::Ink, body)],
            BODY_SIZE,
            CONTENT_WIDTH - INDENT,
        );
        assert!(lines.len() > 100, "{} lines", lines.len());
        for line in &lines {
            assert!(runs_width(&fonts, line, BODY_SIZE) <= CONTENT_WIDTH - INDENT + 0.01);
        }
        let joined: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|r| r.text.as_str()).collect())
            .collect();
        assert_eq!(&joined.join(" "), body);
        // Most lines are nearly full.
        let full = lines
            .iter()
            .filter(|l| runs_width(&fonts, l, BODY_SIZE) > CONTENT_WIDTH - INDENT - 80.0)
            .count();
        assert!(full + 1 >= lines.len());
    }

    #[test]
    fn wrap_breaks_at_spaces_keeps_styles_and_cuts_overlong_words() {
        let fonts = Fonts::load().unwrap();
        let size = 10.0;
        let runs = [
            run(Font::Bold, Tone::Ink, "Alice Martin"),
            run(Font::Regular, Tone::Muted, " · infirmière · 9 h"),
        ];
        let one = wrap(&fonts, &runs, size, 1000.0);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].len(), 2, "one run per style");
        assert_eq!(one[0][0].text, "Alice Martin");

        let alice = fonts.width(Font::Bold, "Alice", size);
        assert!(alice > 20.0 && alice < 35.0, "{alice}");
        let narrow = wrap(&fonts, &runs, size, alice + 10.0);
        assert_eq!(narrow[0], vec![run(Font::Bold, Tone::Ink, "Alice")]);
        assert!(narrow.iter().all(|l| runs_width(&fonts, l, size) <= alice + 10.0));
        assert!(narrow
            .iter()
            .all(|l| l.first().is_some_and(|r| !r.text.starts_with(' '))));

        // A word wider than the line is cut, without losing a character.
        let word = "x".repeat(100);
        let cut = wrap(&fonts, &[run(Font::Regular, Tone::Ink, &word)], size, 50.0);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|l| runs_width(&fonts, l, size) <= 50.0));
        assert_eq!(cut.iter().map(|l| l[0].text.len()).sum::<usize>(), 100);

        // Leading indentation stays; an empty paragraph is one empty line.
        assert_eq!(
            wrap(&fonts, &[run(Font::Regular, Tone::Ink, "  - item")], size, 500.0)[0][0].text,
            "  - item"
        );
        assert_eq!(
            wrap(&fonts, &[run(Font::Regular, Tone::Ink, "")], size, 500.0),
            vec![Vec::<Run>::new()]
        );
        // A no-break space does not break.
        let ab = fonts.width(Font::Regular, "a\u{a0}b", size);
        let nbsp = wrap(&fonts, &[run(Font::Regular, Tone::Ink, "a\u{a0}b c")], size, ab + 1.0);
        assert_eq!(nbsp.len(), 2);
        assert_eq!(nbsp[0][0].text, "a\u{a0}b");
    }

    #[test]
    fn text_keeps_every_character_the_font_has() {
        let fonts = Fonts::load().unwrap();
        let kept = "≥ 38 °C œ Œ ç é É « » ’ – — … € ÿ Ω Жж مريم حداد שלום";
        assert_eq!(clean(&fonts, Font::Regular, kept), kept);
        assert_eq!(clean(&fonts, Font::Bold, kept), kept);
        // What DejaVu Sans lacks (here CJK and emoji) is U+FFFD, never the
        // .notdef glyph (PDF/A forbids it).
        assert_eq!(clean(&fonts, Font::Regular, "李 क"), "\u{fffd} \u{fffd}");
        // Tabs, controls, invisible marks.
        assert_eq!(clean(&fonts, Font::Regular, "a\tb"), "a    b");
        assert_eq!(clean(&fonts, Font::Regular, "a\u{0}b\u{81}c"), "a\u{fffd}b\u{fffd}c");
        assert_eq!(clean(&fonts, Font::Regular, "a\u{2029}b"), "a b");
    }

    #[test]
    fn widths_come_from_the_shaped_dejavu_fonts() {
        let fonts = Fonts::load().unwrap();
        let w = |font, text| fonts.width(font, text, 10.0);
        // DejaVu Sans: 2048 units per em; "i" is 569 units, "W" 2025.
        assert!(
            (w(Font::Regular, "i") - 2.778).abs() < 0.01,
            "{}",
            w(Font::Regular, "i")
        );
        assert!(
            (w(Font::Regular, "W") - 9.888).abs() < 0.01,
            "{}",
            w(Font::Regular, "W")
        );
        assert!(w(Font::Bold, "Hello") > w(Font::Regular, "Hello"));
        assert_eq!(w(Font::Regular, ""), 0.0);
        // Arabic letters are shaped in their joined forms: the word is not
        // the sum of its isolated letters.
        let word = w(Font::Regular, "مريم");
        let letters: f32 = ["م", "ر", "ي", "م"].iter().map(|l| w(Font::Regular, l)).sum();
        assert!(word > 0.0 && (word - letters).abs() > 0.1, "{word} {letters}");
    }

    #[test]
    fn lines_are_put_in_visual_order() {
        let segments = |runs: &[Run], auto| {
            let (segments, right) = visual_segments(runs, auto);
            let texts: Vec<(String, bool)> = segments.into_iter().map(|s| (s.text, s.rtl)).collect();
            (texts, right)
        };
        // A label then an Arabic name: left to right, the name drawn right to left.
        let (texts, right) = segments(
            &[
                run(Font::Bold, Tone::Ink, "Patient : "),
                run(Font::Regular, Tone::Ink, "مريم حداد"),
            ],
            false,
        );
        assert!(!right);
        assert_eq!(
            texts,
            vec![("Patient : ".to_string(), false), ("مريم حداد".to_string(), true)]
        );
        // A message line in Arabic with a number: right-aligned, the number
        // stays left to right, at the left of the words that precede it.
        let (texts, right) = segments(&[run(Font::Regular, Tone::Ink, "حرارة 38")], true);
        assert!(right);
        assert_eq!(texts, vec![("38".to_string(), false), ("حرارة ".to_string(), true)]);
        // An Arabic author then the time: the name is isolated, so the
        // number stays after it, on its right.
        let (texts, right) = segments(
            &[
                run(Font::Bold, Tone::Ink, &isolate("مريم حداد")),
                run(Font::Regular, Tone::Muted, " · 15 juillet 2026"),
            ],
            false,
        );
        assert!(!right);
        assert_eq!(
            texts,
            vec![
                ("مريم حداد".to_string(), true),
                (" · 15 juillet 2026".to_string(), false)
            ]
        );
        // Without the isolation, the Unicode algorithm would put "15" first.
        let (texts, _) = segments(&[run(Font::Regular, Tone::Ink, "مريم حداد · 15 juillet")], false);
        assert_eq!(texts[0].0, "15");
        // Latin text is one left-to-right segment, even in an "auto" line.
        let (texts, right) = segments(&[run(Font::Regular, Tone::Ink, "≥ 38 °C")], true);
        assert!(!right);
        assert_eq!(texts, vec![("≥ 38 °C".to_string(), false)]);
    }

    fn sample() -> ThreadExport {
        let mut export = french_thread();
        export.patient = Some("مريم حداد".to_string());
        export.participants.push("مريم حداد".to_string());
        export.messages[0].body = "Fièvre ≥ 38 °C ; œdème, Œdème, ça, été.\nالمريضة بخير، الحرارة 38 درجة.".to_string();
        export.messages[2].author = "مريم حداد".to_string();
        export
    }

    #[test]
    fn pdftotext_reads_back_unicode_and_arabic() {
        let pdf = render(&sample()).unwrap();
        let Some(text) = pdftotext(&pdf) else { return };
        assert_has(&text, "Fièvre ≥ 38 °C ; œdème, Œdème, ça, été.");
        // A sentence mixing Arabic, a number and punctuation: every word
        // comes out intact, but poppler orders the pieces of such a line its
        // own way (". درجة38 الحرارة،المريضة بخير"), so words are checked.
        for word in ["المريضة", "بخير", "الحرارة", "درجة"] {
            assert_has(&text, word);
        }
        assert_has(
            &text,
            "Participants : Dre Amélie Gagnon, Loïc Béliveau, Zoë Œuvray, مريم حداد",
        );
        assert_has(&text, "Patient : مريم حداد");
        // The author line: pdftotext moves the " · " of a line that starts in
        // Arabic; the drawn order is checked in lines_are_put_in_visual_order.
        assert_eq!(text.matches("مريم حداد").count(), 4, "{text}");
        assert_has(&text, "15 juillet 2026, 14 h 30");
        assert!(!text.contains('\u{fffd}'), "{text}");
    }

    #[test]
    fn pdftotext_reads_back_the_french_text() {
        let export = french_thread();
        let Some(text) = pdftotext(&render(&export).unwrap()) else {
            return;
        };
        assert_has(&text, ACCENTED);
        assert_has(
            &text,
            "Deuxième ligne : naïf, Noël, août, « œuvre » – fin… Œdème ÿ ’apostrophe’",
        );
        assert_has(&text, "Title: Suivi post-opératoire — Mme Lefèbvre (chambre 12)");
        assert_has(&text, "Suivi post-opératoire — Mme Lefèbvre (chambre 12)");
        assert_has(&text, "Discussion fermée — copie pour le dossier");
        assert_has(&text, "Organisation : CIUSSS de la Capitale-Nationale");
        assert_has(&text, "Patient : Hélène Côté, 1952-03-14");
        assert_has(&text, "Participants : Dre Amélie Gagnon, Loïc Béliveau, Zoë Œuvray");
        assert_has(&text, "Fermée par Dre Amélie Gagnon le 22 novembre 2026, 14 h 05");
        assert_has(&text, "Généré le 22 novembre 2026, 15 h 06");
        assert_has(&text, "3 messages");
        assert_has(
            &text,
            "Dre Amélie Gagnon · Médecin · 22 novembre 2026, 14 h 05 (modifié)",
        );
        assert_has(&text, "Pièce jointe : radiographie_thoracique.pdf");
        assert_has(&text, "Pièce jointe : Compte-rendu (v2).docx");
        assert_has(&text, "Loïc Béliveau · Infirmier · 22 novembre 2026, 14 h 10");
        assert_has(&text, "Message retiré par l'auteur");
        assert!(!text.contains("Texte confidentiel"), "a retracted body is not printed");
        assert!(!text.contains("retiree.png"), "nor its attachments");
        assert_has(&text, "Zoë \u{fffd} · 15 juillet 2026, 14 h 30");
        assert_has(&text, "Barre oblique inverse \\ et parenthèses (ouvrante et fermante)");
        assert_has(&text, "Appels");
        assert_has(&text, "22 novembre 2026, 14 h 06 · Appel vidéo lancé par Loïc Béliveau");
        assert_has(&text, "Appel terminé, durée 1 min 40 s");
        assert_has(&text, "Page 1 / 1");
    }

    #[test]
    fn pdftotext_reads_back_the_english_text() {
        let Some(text) = pdftotext(&render(&english_thread()).unwrap()) else {
            return;
        };
        assert_has(&text, "Post-op follow-up");
        assert_has(&text, "Closed discussion — copy for the record");
        assert_has(&text, "Organization: Montreal General");
        assert_has(&text, "Participants: Dr. Sarah O'Neil, Marc Tremblay");
        assert_has(&text, "Closed by Dr. Sarah O'Neil on July 15, 2026, 3:00 p.m.");
        assert_has(&text, "Generated on July 15, 2026, 5:13 p.m.");
        assert_has(&text, "2 messages");
        assert_has(
            &text,
            "Dr. Sarah O'Neil · Physician · July 15, 2026, 2:30 p.m. (edited)",
        );
        assert_has(&text, "Wound looks clean. See the photo.");
        assert_has(&text, "Attachment: wound-day3.jpg");
        assert_has(
            &text,
            "Marc Tremblay · Nurse · July 15, 2026, 3:30 p.m. Message retracted by the author",
        );
        assert!(!text.contains("oops"));
        assert!(!text.contains("Patient"));
        assert_has(&text, "Page 1 / 1");
    }

    #[test]
    fn pdftotext_reads_every_page_of_a_long_thread() {
        let pdf = render(&long_thread()).unwrap();
        let Some(text) = pdftotext(&pdf) else { return };
        let pages = pages_of(&pdf).unwrap();
        assert!(pages >= 3, "{pages}");
        // The title heads every page, the patient is named at the foot of every page.
        assert!(
            text.matches("Suivi post-opératoire — Mme Lefèbvre (chambre 12)")
                .count()
                > pages
        );
        assert_eq!(text.matches("Patient : Hélène Côté, 1952-03-14").count(), pages + 1);
        assert_has(&text, &format!("Pages: {pages}"));
        for page in 1..=pages {
            assert_has(&text, &format!("Page {page} / {pages}"));
        }
        assert_has(
            &text,
            "anticoagulation à surveiller INR de contrôle demain matin, svp anticoagulation",
        );
        assert_has(&text, "Auteur 39 · 2 mars 2026, 10 h 00 Message numéro 39");
        assert_has(&text, "Dernier · 3 mars 2026, 8 h 00 Fin du fil");
        assert_eq!(text.matches("anticoagulation").count(), 2500usize.div_ceil(9));
    }

    /// Times as the export writes them (the reader's zone; Montreal here).
    fn format_local(unix_ms: i64, lang: Language) -> String {
        cercle_domain::local_time::LocalTime::new(lang, cercle_domain::local_time::Zone::montreal()).date_time(unix_ms)
    }
}
