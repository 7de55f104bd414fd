//! A closed discussion thread exported "for the record" (clinical record) as
//! a PDF 1.4 file, written by hand: no PDF dependency.
//!
//! The file uses the standard Type1 fonts Helvetica and Helvetica-Bold in
//! `WinAnsiEncoding` (nothing embedded): text is encoded to Windows-1252
//! bytes, which keeps every French accent, the guillemets, the typographic
//! apostrophe, the dashes and the euro sign; any other character prints as
//! `?`. Lines are wrapped with the fonts' real glyph widths (the Adobe AFM
//! metrics, tables at the end of this file), on US Letter pages with a header
//! (the title) and a footer (the patient, if any, and "Page n / N").
//! Nothing is compressed, so the file is plain and easy to inspect.

use cercle_domain::local_time::{civil_from_days, montreal_offset};
use cercle_domain::Language;

/// One message of the exported thread, already resolved for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMessage {
    pub author: String,
    pub profession: Option<String>,
    /// Already formatted (see [`format_local`]).
    pub time: String,
    pub body: String,
    /// File names of the attachments.
    pub attachments: Vec<String>,
    pub edited: bool,
    /// A retracted message keeps its place in the record: its author, its
    /// time and a notice, but neither its body nor its attachments.
    pub retracted: bool,
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
    pub lang: Language,
    pub messages: Vec<ExportMessage>,
}

/// The PDF file of a closed thread.
pub fn render(export: &ThreadExport) -> Vec<u8> {
    let labels = Labels::of(export.lang);
    let mut layout = Layout::new();

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
        export.participants.join(", ")
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
        layout_message(&mut layout, message, &labels);
    }

    let pages = layout.finish();
    let total = pages.len();
    let title = encode(&export.title);
    let patient = export
        .patient
        .as_deref()
        .map(|p| encode(&format!("{}{p}", labels.patient)));
    let streams: Vec<Vec<u8>> = pages
        .iter()
        .enumerate()
        .map(|(index, ops)| page_stream(ops, &title, patient.as_deref(), index + 1, total))
        .collect();
    assemble(&streams, &export.title, export.lang)
}

/// Local time of the organization (America/Montreal: UTC−5, and UTC−4 from
/// the second Sunday of March at 02:00 to the first Sunday of November at
/// 02:00, the rules in force since 2007, applied to every year), formatted for
/// the language: "22 novembre 2026, 14 h 05" (the first of the month is
/// "1er"), "November 22, 2026, 2:05 p.m.". Times are clamped to years 1–9999.
pub fn format_local(unix_ms: i64, lang: Language) -> String {
    const MIN_MS: i64 = -62_135_596_800_000; // 0001-01-01T00:00:00Z
    const MAX_MS: i64 = 253_402_300_799_000; // 9999-12-31T23:59:59Z
    let utc = unix_ms.clamp(MIN_MS, MAX_MS).div_euclid(1000);
    let local = utc + montreal_offset(utc);
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let seconds = local.rem_euclid(86_400);
    let (hour, minute) = (seconds / 3600, seconds % 3600 / 60);
    let month = (month - 1).clamp(0, 11) as usize;
    match lang {
        Language::Fr => {
            let day = if day == 1 { "1er".to_string() } else { day.to_string() };
            format!("{day} {} {year}, {hour} h {minute:02}", FR_MONTHS[month])
        }
        Language::En => {
            let (hour, suffix) = match hour {
                0 => (12, "a.m."),
                1..=11 => (hour, "a.m."),
                12 => (12, "p.m."),
                _ => (hour - 12, "p.m."),
            };
            format!("{} {day}, {year}, {hour}:{minute:02} {suffix}", EN_MONTHS[month])
        }
    }
}

const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

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
            },
        }
    }
}

fn labelled(label: &str, value: &str) -> [Run; 2] {
    [run(Font::Bold, Tone::Ink, label), run(Font::Regular, Tone::Ink, value)]
}

fn layout_message(layout: &mut Layout, message: &ExportMessage, labels: &Labels) {
    layout.space(6.0);
    // Never leave an author line alone at the bottom of a page.
    layout.keep(3.0 * BODY_LEADING);
    let mut head = vec![run(Font::Bold, Tone::Ink, &message.author)];
    if let Some(profession) = message.profession.as_deref().filter(|p| !p.trim().is_empty()) {
        head.push(run(Font::Regular, Tone::Muted, &format!(" · {profession}")));
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
            layout.paragraph(&[run(Font::Regular, Tone::Ink, line)], BODY_SIZE, BODY_LEADING, INDENT);
        }
    }
    for name in &message.attachments {
        layout.paragraph(
            &[
                run(Font::Regular, Tone::Muted, labels.attachment),
                run(Font::Regular, Tone::Ink, name),
            ],
            BODY_SIZE,
            BODY_LEADING,
            INDENT,
        );
    }
}

// ---------------------------------------------------------------------------
// Page geometry (points): US Letter.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    /// Advance width of a WinAnsi byte, in thousandths of the font size.
    fn width(self, byte: u8) -> u16 {
        let table = match self {
            Font::Regular => &HELVETICA_WIDTHS,
            Font::Bold => &HELVETICA_BOLD_WIDTHS,
        };
        byte.checked_sub(32)
            .and_then(|i| table.get(usize::from(i)))
            .copied()
            .unwrap_or(0)
    }

    fn text_width(self, bytes: &[u8], size: f32) -> f32 {
        let units: u32 = bytes.iter().map(|&b| u32::from(self.width(b))).sum();
        units as f32 * size / 1000.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Ink,
    Muted,
}

impl Tone {
    fn gray(self) -> &'static str {
        match self {
            Tone::Ink => "0",
            Tone::Muted => "0.38",
        }
    }
}

/// A piece of text in one font and tone, as WinAnsi bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    font: Font,
    tone: Tone,
    text: Vec<u8>,
}

fn run(font: Font, tone: Tone, text: &str) -> Run {
    Run {
        font,
        tone,
        text: encode(text),
    }
}

fn runs_width(runs: &[Run], size: f32) -> f32 {
    runs.iter().map(|r| r.font.text_width(&r.text, size)).sum()
}

/// Appends bytes to a line, merging with the last run when the style matches.
fn push_run(line: &mut Vec<Run>, font: Font, tone: Tone, bytes: &[u8]) {
    match line.last_mut() {
        Some(last) if last.font == font && last.tone == tone => last.text.extend_from_slice(bytes),
        _ => line.push(Run {
            font,
            tone,
            text: bytes.to_vec(),
        }),
    }
}

/// Breaks a paragraph (no line breaks inside) into lines at most `max` points
/// wide, at spaces; a word wider than a line is cut wherever it must be. Leading
/// spaces of the paragraph are kept (indentation), spaces at a break are
/// dropped. An empty paragraph is one empty line.
fn wrap(runs: &[Run], size: f32, max: f32) -> Vec<Vec<Run>> {
    enum Piece {
        Space(Font, Tone),
        Word(Vec<Run>),
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for r in runs {
        for chunk in r.text.split_inclusive(|&b| b == b' ') {
            let (word, space) = match chunk.split_last() {
                Some((b' ', word)) => (word, true),
                _ => (chunk, false),
            };
            if !word.is_empty() {
                match pieces.last_mut() {
                    Some(Piece::Word(fragments)) => push_run(fragments, r.font, r.tone, word),
                    _ => pieces.push(Piece::Word(vec![Run {
                        font: r.font,
                        tone: r.tone,
                        text: word.to_vec(),
                    }])),
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
        let word_width = runs_width(&fragments, size);
        let space_width: f32 = spaces.iter().map(|(f, _)| f.text_width(b" ", size)).sum();
        if !fits(width + space_width + word_width) {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            spaces.clear();
        }
        for (font, tone) in spaces.drain(..) {
            push_run(&mut line, font, tone, b" ");
            width += font.text_width(b" ", size);
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
            for &byte in &f.text {
                let w = f.font.text_width(&[byte], size);
                if !fits(width + w) && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                push_run(&mut line, f.font, f.tone, &[byte]);
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
fn truncate(font: Font, text: &[u8], size: f32, max: f32) -> Vec<u8> {
    if font.text_width(text, size) <= max {
        return text.to_vec();
    }
    let ellipsis = font.text_width(&[0x85], size);
    let mut out = text.to_vec();
    while !out.is_empty() && font.text_width(&out, size) + ellipsis > max {
        out.pop();
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(0x85);
    out
}

#[derive(Debug, Clone)]
enum Op {
    Text { x: f32, y: f32, size: f32, runs: Vec<Run> },
    Rule { y: f32 },
}

/// Flows content down the pages.
struct Layout {
    done: Vec<Vec<Op>>,
    current: Vec<Op>,
    /// Baseline of the last line, or the top of the content area.
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
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

    fn line(&mut self, runs: Vec<Run>, size: f32, leading: f32, indent: f32) {
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
            });
        }
    }

    fn paragraph(&mut self, runs: &[Run], size: f32, leading: f32, indent: f32) {
        for line in wrap(runs, size, CONTENT_WIDTH - indent) {
            self.line(line, size, leading, indent);
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
// Serialization

/// A number as PDF writes it: at most two decimals, no trailing zeros.
fn num(value: f32) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A PDF literal string of WinAnsi bytes; everything outside printable ASCII
/// is an octal escape, so content streams stay pure ASCII.
fn pdf_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push(')');
    out
}

/// A PDF text string (for the document information) in UTF-16BE, which
/// holds any character.
fn pdf_text_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

fn text_op(out: &mut String, x: f32, y: f32, size: f32, runs: &[Run]) {
    out.push_str(&format!("BT\n{} {} Td\n", num(x), num(y)));
    let mut font = None;
    let mut tone = None;
    for r in runs {
        if font != Some(r.font) {
            out.push_str(&format!("/{} {} Tf\n", r.font.resource(), num(size)));
            font = Some(r.font);
        }
        if tone != Some(r.tone) {
            out.push_str(&format!("{} g\n", r.tone.gray()));
            tone = Some(r.tone);
        }
        out.push_str(&pdf_string(&r.text));
        out.push_str(" Tj\n");
    }
    out.push_str("ET\n");
}

fn rule_op(out: &mut String, y: f32, gray: &str) {
    out.push_str(&format!(
        "q {gray} G 0.5 w {} {} m {} {} l S Q\n",
        num(MARGIN),
        num(y),
        num(PAGE_WIDTH - MARGIN),
        num(y)
    ));
}

/// The content stream of one page: header, body, footer.
fn page_stream(ops: &[Op], title: &[u8], patient: Option<&[u8]>, page: usize, total: usize) -> Vec<u8> {
    let mut out = String::new();
    let header = truncate(Font::Regular, title, SMALL_SIZE, CONTENT_WIDTH);
    text_op(
        &mut out,
        MARGIN,
        HEADER_BASELINE,
        SMALL_SIZE,
        &[Run {
            font: Font::Regular,
            tone: Tone::Muted,
            text: header,
        }],
    );
    rule_op(&mut out, HEADER_RULE, "0.7");
    for op in ops {
        match op {
            Op::Text { x, y, size, runs } => text_op(&mut out, *x, *y, *size, runs),
            Op::Rule { y } => rule_op(&mut out, *y, "0.8"),
        }
    }
    if let Some(patient) = patient {
        let text = truncate(Font::Regular, patient, SMALL_SIZE, CONTENT_WIDTH * 0.7);
        text_op(
            &mut out,
            MARGIN,
            FOOTER_BASELINE,
            SMALL_SIZE,
            &[Run {
                font: Font::Regular,
                tone: Tone::Muted,
                text,
            }],
        );
    }
    let number = format!("Page {page} / {total}").into_bytes();
    let x = PAGE_WIDTH - MARGIN - Font::Regular.text_width(&number, SMALL_SIZE);
    text_op(
        &mut out,
        x,
        FOOTER_BASELINE,
        SMALL_SIZE,
        &[Run {
            font: Font::Regular,
            tone: Tone::Muted,
            text: number,
        }],
    );
    out.into_bytes()
}

/// The whole file: objects 1 catalog, 2 page tree, 3 and 4 fonts, 5
/// information, then a page and its content stream for each page.
fn assemble(streams: &[Vec<u8>], title: &str, lang: Language) -> Vec<u8> {
    let page_id = |index: usize| 6 + 2 * index;
    let kids: Vec<String> = (0..streams.len()).map(|i| format!("{} 0 R", page_id(i))).collect();
    let lang = match lang {
        Language::Fr => "fr",
        Language::En => "en",
    };
    let font = |name: &str| {
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>").into_bytes()
    };
    let mut objects: Vec<Vec<u8>> = vec![
        format!("<< /Type /Catalog /Pages 2 0 R /Lang ({lang}) >>").into_bytes(),
        format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), streams.len()).into_bytes(),
        font("Helvetica"),
        font("Helvetica-Bold"),
        format!(
            "<< /Title {} /Producer (Cercle) /Creator (Cercle) >>",
            pdf_text_string(title)
        )
        .into_bytes(),
    ];
    for (index, stream) in streams.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /ProcSet [/PDF /Text] >> /Contents {} 0 R >>",
                num(PAGE_WIDTH),
                num(PAGE_HEIGHT),
                page_id(index) + 1
            )
            .into_bytes(),
        );
        let mut body = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        body.extend_from_slice(stream);
        body.extend_from_slice(b"\nendstream");
        objects.push(body);
    }

    // The second line's high bytes mark the file as binary for transfer tools.
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

// ---------------------------------------------------------------------------
// Text encoding

/// Windows-1252 (WinAnsiEncoding) bytes of a text. Decomposed accents (a
/// letter then a combining mark) are composed first; spaces of other widths
/// become spaces (the narrow no-break ones a no-break space), zero-width
/// characters and soft hyphens disappear, a tab is four spaces, and any other
/// character outside Windows-1252 is `?`.
fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match chars.peek().and_then(|&mark| compose(c, mark)) {
            Some(composed) => {
                chars.next();
                composed
            }
            None => c,
        };
        match c {
            '\t' => out.extend_from_slice(b"    "),
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\r' | '\n' => {}
            '\u{2000}'..='\u{200a}' | '\u{205f}' | '\u{3000}' => {
                out.push(if c == '\u{2007}' { 0xa0 } else { b' ' });
            }
            '\u{202f}' => out.push(0xa0),
            '\u{2010}' | '\u{2011}' => out.push(b'-'),
            _ => out.push(winansi(c).unwrap_or(b'?')),
        }
    }
    out
}

fn winansi(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7e | 0xa0..=0xff => u8::try_from(code).ok(),
        0x00..=0x1f | 0x7f..=0x9f => None,
        _ => WINANSI_HIGH
            .iter()
            .position(|&h| h == c)
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

/// Unicode of the bytes 0x80..=0x9F in Windows-1252 ('\0' where undefined).
const WINANSI_HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', //
    '\0', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

/// A letter and a combining mark as one precomposed character, when
/// Windows-1252 has it.
fn compose(base: char, mark: char) -> Option<char> {
    let (from, to) = match mark {
        '\u{300}' => ("aeiouAEIOU", "àèìòùÀÈÌÒÙ"),
        '\u{301}' => ("aeiouyAEIOUY", "áéíóúýÁÉÍÓÚÝ"),
        '\u{302}' => ("aeiouAEIOU", "âêîôûÂÊÎÔÛ"),
        '\u{303}' => ("anoANO", "ãñõÃÑÕ"),
        '\u{308}' => ("aeiouyAEIOUY", "äëïöüÿÄËÏÖÜŸ"),
        '\u{30a}' => ("aA", "åÅ"),
        '\u{30c}' => ("szSZ", "šžŠŽ"),
        '\u{327}' => ("cC", "çÇ"),
        _ => return None,
    };
    from.chars().position(|c| c == base).and_then(|i| to.chars().nth(i))
}

// ---------------------------------------------------------------------------
// Glyph widths

// Advance widths (thousandths of an em) of the WinAnsiEncoding bytes 32..=255,
// from Adobe's AFM files of the standard fonts. Bytes undefined in
// Windows-1252 (127, 129, 141, 143, 144, 157) print as a bullet.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 224] = [
     278,  278,  355,  556,  556,  889,  667,  191,  333,  333,  389,  584,  278,  333,  278,  278, // 32..=47
     556,  556,  556,  556,  556,  556,  556,  556,  556,  556,  278,  278,  584,  584,  584,  556, // 48..=63
    1015,  667,  667,  722,  722,  667,  611,  778,  722,  278,  500,  667,  556,  833,  722,  778, // 64..=79
     667,  778,  722,  667,  611,  722,  667,  944,  667,  667,  611,  278,  278,  278,  469,  556, // 80..=95
     333,  556,  556,  500,  556,  556,  278,  556,  556,  222,  222,  500,  222,  833,  556,  556, // 96..=111
     556,  556,  333,  500,  278,  556,  500,  722,  500,  500,  500,  334,  260,  334,  584,  350, // 112..=127
     556,  350,  222,  556,  333, 1000,  556,  556,  333, 1000,  667,  333, 1000,  350,  611,  350, // 128..=143
     350,  222,  222,  333,  333,  350,  556, 1000,  333, 1000,  500,  333,  944,  350,  500,  667, // 144..=159
     278,  333,  556,  556,  556,  556,  260,  556,  333,  737,  370,  556,  584,  333,  737,  333, // 160..=175
     400,  584,  333,  333,  333,  556,  537,  278,  333,  333,  365,  556,  834,  834,  834,  611, // 176..=191
     667,  667,  667,  667,  667,  667, 1000,  722,  667,  667,  667,  667,  278,  278,  278,  278, // 192..=207
     722,  722,  778,  778,  778,  778,  778,  584,  778,  722,  722,  722,  722,  667,  667,  611, // 208..=223
     556,  556,  556,  556,  556,  556,  889,  500,  556,  556,  556,  556,  278,  278,  278,  278, // 224..=239
     556,  556,  556,  556,  556,  556,  556,  584,  611,  556,  556,  556,  556,  500,  556,  500, // 240..=255
];
#[rustfmt::skip]
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
     278,  333,  474,  556,  556,  889,  722,  238,  333,  333,  389,  584,  278,  333,  278,  278, // 32..=47
     556,  556,  556,  556,  556,  556,  556,  556,  556,  556,  333,  333,  584,  584,  584,  611, // 48..=63
     975,  722,  722,  722,  722,  667,  611,  778,  722,  278,  556,  722,  611,  833,  722,  778, // 64..=79
     667,  778,  722,  667,  611,  722,  667,  944,  667,  667,  611,  333,  278,  333,  584,  556, // 80..=95
     333,  556,  611,  556,  611,  556,  333,  611,  611,  278,  278,  556,  278,  889,  611,  611, // 96..=111
     611,  611,  389,  556,  333,  611,  556,  778,  556,  556,  500,  389,  280,  389,  584,  350, // 112..=127
     556,  350,  278,  556,  500, 1000,  556,  556,  333, 1000,  667,  333, 1000,  350,  611,  350, // 128..=143
     350,  278,  278,  500,  500,  350,  556, 1000,  333, 1000,  556,  333,  944,  350,  500,  667, // 144..=159
     278,  333,  556,  556,  556,  556,  280,  556,  333,  737,  370,  556,  584,  333,  737,  333, // 160..=175
     400,  584,  333,  333,  333,  611,  556,  278,  333,  333,  365,  556,  834,  834,  834,  611, // 176..=191
     722,  722,  722,  722,  722,  722, 1000,  722,  667,  667,  667,  667,  278,  278,  278,  278, // 192..=207
     722,  722,  778,  778,  778,  778,  778,  584,  778,  722,  722,  722,  722,  667,  667,  611, // 208..=223
     556,  556,  556,  556,  556,  556,  889,  556,  556,  556,  556,  556,  278,  278,  278,  278, // 224..=239
     611,  611,  611,  611,  611,  611,  611,  584,  611,  611,  611,  611,  611,  556,  611,  556, // 240..=255
];

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
            lang: Language::Fr,
            messages: vec![first, second, third],
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
            lang: Language::En,
            messages: vec![first, second],
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

    fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        haystack
            .get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    }

    fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).rposition(|w| w == needle)
    }

    fn number_at(pdf: &[u8], at: usize) -> usize {
        let digits: String = pdf[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| char::from(b))
            .collect();
        digits.parse().unwrap()
    }

    /// Checks the file's structure; returns the number of pages.
    fn check_structure(pdf: &[u8]) -> usize {
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let startxref = rfind(pdf, b"startxref\n").unwrap();
        let xref = number_at(pdf, startxref + b"startxref\n".len());
        assert!(
            pdf[xref..].starts_with(b"xref\n0 "),
            "startxref does not point at the xref table"
        );
        let size = number_at(pdf, xref + b"xref\n0 ".len());
        let entries = find(pdf, b"\n", xref + 5).unwrap() + 1;
        assert_eq!(&pdf[entries..entries + 20], b"0000000000 65535 f \n");
        for id in 1..size {
            let entry = &pdf[entries + 20 * id..entries + 20 * (id + 1)];
            assert_eq!(entry.len(), 20);
            assert!(
                entry.ends_with(b" 00000 n \n"),
                "xref entry {id}: {:?}",
                String::from_utf8_lossy(entry)
            );
            let offset = number_at(entry, 0);
            let header = format!("{id} 0 obj\n");
            assert!(
                pdf[offset..].starts_with(header.as_bytes()),
                "xref entry {id} does not point at its object"
            );
            // A stream's /Length is exact.
            let end = find(pdf, b"\nendobj\n", offset).unwrap();
            if let Some(at) = find(&pdf[..end], b"<< /Length ", offset) {
                let length = number_at(pdf, at + b"<< /Length ".len());
                let start = find(pdf, b"stream\n", at).unwrap() + b"stream\n".len();
                assert!(
                    pdf[start + length..].starts_with(b"\nendstream\nendobj\n"),
                    "object {id}: wrong /Length"
                );
            }
        }
        let trailer = &pdf[entries + 20 * size..];
        assert!(trailer.starts_with(b"trailer\n<< "));
        let trailer = String::from_utf8_lossy(trailer);
        assert!(trailer.contains(&format!("/Size {size} ")));
        assert!(trailer.contains("/Root 1 0 R"));
        assert!(trailer.contains("/Info 5 0 R"));

        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding"));
        assert!(text.contains("/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding"));
        assert!(text.contains("/Producer (Cercle)"));
        let pages = text.matches("/Type /Page ").count();
        assert!(text.contains(&format!("/Count {pages} >>")));
        assert_eq!(size, 6 + 2 * pages, "objects: 5 fixed ones and two per page");
        pages
    }

    #[test]
    fn structure_is_valid_and_xref_offsets_point_at_objects() {
        let pdf = render(&french_thread());
        assert_eq!(check_structure(&pdf), 1);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(&format!(
            "/Title {}",
            pdf_text_string("Suivi post-opératoire — Mme Lefèbvre (chambre 12)")
        )));
        assert!(text.contains("/Lang (fr)"));
        assert!(text.contains("(Page 1 / 1) Tj"));
        // The content streams are plain ASCII: accents are octal escapes.
        assert!(text.contains("H\\351l\\350ne"));
        assert!(text.contains("\\(chambre 12\\)"));
        assert!(!text.contains("Texte confidentiel retir"));

        let pdf = render(&english_thread());
        assert_eq!(check_structure(&pdf), 1);
        assert!(String::from_utf8_lossy(&pdf).contains("/Lang (en)"));
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
            lang: Language::En,
            messages: Vec::new(),
        };
        let pdf = render(&export);
        assert_eq!(check_structure(&pdf), 1);
        assert!(String::from_utf8_lossy(&pdf).contains("(No messages) Tj"));
    }

    #[test]
    fn long_body_wraps_and_spans_several_pages() {
        let export = long_thread();
        let pdf = render(&export);
        let pages = check_structure(&pdf);
        assert!(pages >= 3, "{pages} pages");
        let text = String::from_utf8_lossy(&pdf);
        for page in 1..=pages {
            assert!(text.contains(&format!("(Page {page} / {pages}) Tj")), "page {page}");
        }
        // The title heads every page (it has parentheses, escaped).
        assert!(
            text.matches("(Suivi post-op\\351ratoire \\227 Mme Lef\\350bvre \\(chambre 12\\)) Tj")
                .count()
                >= pages
        );
        // The patient is named at the foot of every page.
        assert_eq!(
            text.matches("(Patient\\240: H\\351l\\350ne C\\364t\\351, 1952-03-14) Tj")
                .count(),
            pages
        );
        // No text runs below the bottom margin or above the top one.
        for line in text.lines().filter(|l| l.ends_with(" Td")) {
            let y: f32 = line.split(' ').nth(1).unwrap().parse().unwrap();
            assert!(
                y == FOOTER_BASELINE || y == HEADER_BASELINE || (BOTTOM..=TOP).contains(&y),
                "{line}"
            );
        }

        // The body's lines fit the width and lose no word.
        let body = &export.messages[0].body;
        let lines = wrap(
            &[run(Font::Regular, Tone::Ink, body)],
            BODY_SIZE,
            CONTENT_WIDTH - INDENT,
        );
        assert!(lines.len() > 100, "{} lines", lines.len());
        for line in &lines {
            assert!(runs_width(line, BODY_SIZE) <= CONTENT_WIDTH - INDENT + 0.01);
        }
        let joined: Vec<Vec<u8>> = lines
            .iter()
            .map(|l| l.iter().flat_map(|r| r.text.clone()).collect())
            .collect();
        assert_eq!(joined.join(&b' '), encode(body));
        // Most lines are nearly full.
        let full = lines
            .iter()
            .filter(|l| runs_width(l, BODY_SIZE) > CONTENT_WIDTH - INDENT - 80.0)
            .count();
        assert!(full + 1 >= lines.len());
    }

    #[test]
    fn wrap_breaks_at_spaces_keeps_styles_and_cuts_overlong_words() {
        let size = 10.0;
        let runs = [
            run(Font::Bold, Tone::Ink, "Alice Martin"),
            run(Font::Regular, Tone::Muted, " · infirmière · 9 h"),
        ];
        let one = wrap(&runs, size, 1000.0);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].len(), 2, "one run per style");
        assert_eq!(one[0][0].text, b"Alice Martin");

        // "Alice" is 5 glyphs of bold Helvetica: A 722 l 278 i 278 c 556 e 556 = 2390 -> 23.9 pt.
        let narrow = wrap(&runs, size, 45.0);
        assert_eq!(narrow[0], vec![run(Font::Bold, Tone::Ink, "Alice")]);
        assert!(narrow.iter().all(|l| runs_width(l, size) <= 45.0));
        assert!(narrow
            .iter()
            .all(|l| l.first().is_some_and(|r| r.text.first() != Some(&b' '))));

        // A word wider than the line is cut, without losing a byte.
        let word = "x".repeat(100);
        let cut = wrap(&[run(Font::Regular, Tone::Ink, &word)], size, 50.0);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|l| runs_width(l, size) <= 50.0));
        assert_eq!(cut.iter().map(|l| l[0].text.len()).sum::<usize>(), 100);

        // Leading indentation stays; an empty paragraph is one empty line.
        assert_eq!(
            wrap(&[run(Font::Regular, Tone::Ink, "  - item")], size, 500.0)[0][0].text,
            b"  - item"
        );
        assert_eq!(
            wrap(&[run(Font::Regular, Tone::Ink, "")], size, 500.0),
            vec![Vec::<Run>::new()]
        );
        // A no-break space does not break.
        let nbsp = wrap(&[run(Font::Regular, Tone::Ink, "a\u{a0}b c")], size, 16.0);
        assert_eq!(nbsp.len(), 2);
        assert_eq!(nbsp[0][0].text, b"a\xa0b");
        assert_eq!(wrap(&[run(Font::Regular, Tone::Ink, "ab cd")], size, 12.0).len(), 2);
    }

    #[test]
    fn text_is_encoded_to_winansi() {
        assert_eq!(
            encode("éèêàâçôûùïîëœŒ«»’–—…€"),
            b"\xe9\xe8\xea\xe0\xe2\xe7\xf4\xfb\xf9\xef\xee\xeb\x9c\x8c\xab\xbb\x92\x96\x97\x85\x80"
        );
        assert_eq!(encode("Ça"), b"\xc7a");
        // Outside Windows-1252: '?'.
        assert_eq!(encode("李 ĉ 😀"), b"? ? ?");
        // Decomposed accents are composed.
        assert_eq!(encode("e\u{301}te\u{301} c\u{327}a"), b"\xe9t\xe9 \xe7a");
        assert_eq!(encode("x\u{301}"), b"x?");
        // Spaces and invisible characters.
        assert_eq!(encode("14\u{202f}h\u{2009}05\tok\u{ad}\u{200b}"), b"14\xa0h 05    ok");
        assert_eq!(encode("a\u{0}b\u{81}c"), b"a?b?c");
    }

    #[test]
    fn pdf_strings_are_escaped() {
        assert_eq!(pdf_string(b"a(b)c\\d"), "(a\\(b\\)c\\\\d)");
        assert_eq!(pdf_string(b"\xe9\n"), "(\\351\\012)");
        assert_eq!(pdf_text_string("Été (1)"), "<FEFF00C9007400E90020002800310029>");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(724.5), "724.5");
        assert_eq!(num(0.001), "0");
    }

    #[test]
    fn glyph_widths_are_helvetica() {
        let regular = |c: char| Font::Regular.width(encode(&c.to_string())[0]);
        let bold = |c: char| Font::Bold.width(encode(&c.to_string())[0]);
        assert_eq!((regular(' '), bold(' ')), (278, 278));
        assert_eq!((regular('i'), bold('i')), (222, 278));
        assert_eq!((regular('W'), bold('W')), (944, 944));
        assert_eq!((regular('@'), bold('@')), (1015, 975));
        assert_eq!((regular('\''), bold('\'')), (191, 238));
        assert_eq!((regular('é'), bold('é')), (556, 556));
        assert_eq!((regular('€'), regular('—'), regular('œ')), (556, 1000, 944));
        assert_eq!((regular('«'), bold('ç'), bold('ô')), (556, 556, 611));
        assert_eq!(Font::Regular.width(b'\n'), 0);
        assert!((Font::Regular.text_width(b"Hello", 10.0) - 22.78).abs() < 0.001);
    }

    /// Text of a PDF through poppler's pdftotext, whitespace collapsed; None
    /// when CERCLE_SKIP_PDFTOTEXT=1. A missing pdftotext fails the test.
    fn pdftotext(pdf: &[u8]) -> Option<String> {
        if std::env::var("CERCLE_SKIP_PDFTOTEXT").as_deref() == Ok("1") {
            eprintln!("!! CERCLE_SKIP_PDFTOTEXT=1: the PDF text is NOT checked with pdftotext");
            return None;
        }
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "cercle-pdf-test-{}-{}.pdf",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, pdf).unwrap();
        let output = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output();
        let info = Command::new("pdfinfo").args(["-enc", "UTF-8"]).arg(&path).output();
        let _ = std::fs::remove_file(&path);
        let output = match output {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "pdftotext is missing: install it with: sudo apt-get install -y poppler-utils \
                 (or set CERCLE_SKIP_PDFTOTEXT=1 to skip this check)"
            ),
            Err(e) => panic!("pdftotext: {e}"),
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.trim().is_empty(),
            "pdftotext: {stderr}"
        );
        let text = normalize(&String::from_utf8(output.stdout).unwrap());
        if let Ok(info) = info {
            let stderr = String::from_utf8_lossy(&info.stderr);
            assert!(info.status.success() && stderr.trim().is_empty(), "pdfinfo: {stderr}");
            let info = normalize(&String::from_utf8(info.stdout).unwrap());
            assert!(info.contains("Producer: Cercle"), "{info}");
            assert!(info.contains("PDF version: 1.4"), "{info}");
            return Some(format!("{text} {info}"));
        }
        Some(text)
    }

    fn normalize(text: &str) -> String {
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

    #[test]
    fn pdftotext_reads_back_the_french_text() {
        let export = french_thread();
        let Some(text) = pdftotext(&render(&export)) else {
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
        assert_has(&text, "Zoë ? · 15 juillet 2026, 14 h 30");
        assert_has(&text, "Barre oblique inverse \\ et parenthèses (ouvrante et fermante)");
        assert_has(&text, "Page 1 / 1");
    }

    #[test]
    fn pdftotext_reads_back_the_english_text() {
        let Some(text) = pdftotext(&render(&english_thread())) else {
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
        let pdf = render(&long_thread());
        let pages = check_structure(&pdf);
        let Some(text) = pdftotext(&pdf) else { return };
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

    fn both(unix_ms: i64) -> (String, String) {
        (format_local(unix_ms, Language::Fr), format_local(unix_ms, Language::En))
    }

    fn pair(fr: &str, en: &str) -> (String, String) {
        (fr.to_string(), en.to_string())
    }

    #[test]
    fn format_local_summer_is_utc_minus_4() {
        // 2026-07-15T18:30:00Z
        assert_eq!(
            both(1_784_140_200_000),
            pair("15 juillet 2026, 14 h 30", "July 15, 2026, 2:30 p.m.")
        );
        // 2026-11-22 is winter; milliseconds are dropped, not rounded.
        assert_eq!(
            both(1_795_374_300_999),
            pair("22 novembre 2026, 14 h 05", "November 22, 2026, 2:05 p.m.")
        );
    }

    #[test]
    fn format_local_winter_is_utc_minus_5() {
        // 2026-11-22T19:05:00Z
        assert_eq!(
            both(1_795_374_300_000),
            pair("22 novembre 2026, 14 h 05", "November 22, 2026, 2:05 p.m.")
        );
        // 2027-01-01T03:00:00Z is still 2026 in Montreal.
        assert_eq!(
            both(1_798_772_400_000),
            pair("31 décembre 2026, 22 h 00", "December 31, 2026, 10:00 p.m.")
        );
        // Before 1970.
        assert_eq!(
            both(-43_200_000),
            pair("31 décembre 1969, 7 h 00", "December 31, 1969, 7:00 a.m.")
        );
        assert_eq!(
            both(-1),
            pair("31 décembre 1969, 18 h 59", "December 31, 1969, 6:59 p.m.")
        );
    }

    #[test]
    fn format_local_springs_forward_on_the_second_sunday_of_march() {
        // 2026-03-08: 01:59:59 EST, then 03:00 EDT.
        assert_eq!(
            both(1_772_953_199_000),
            pair("8 mars 2026, 1 h 59", "March 8, 2026, 1:59 a.m.")
        );
        assert_eq!(
            both(1_772_953_200_000),
            pair("8 mars 2026, 3 h 00", "March 8, 2026, 3:00 a.m.")
        );
        // 2025-03-09.
        assert_eq!(
            both(1_741_503_540_000),
            pair("9 mars 2025, 1 h 59", "March 9, 2025, 1:59 a.m.")
        );
        assert_eq!(
            both(1_741_503_600_000),
            pair("9 mars 2025, 3 h 00", "March 9, 2025, 3:00 a.m.")
        );
        // The first Sunday of March 2026 (the 1st) is still winter: 2026-03-01T12:00Z.
        assert_eq!(
            both(1_772_366_400_000),
            pair("1er mars 2026, 7 h 00", "March 1, 2026, 7:00 a.m.")
        );
    }

    #[test]
    fn format_local_falls_back_on_the_first_sunday_of_november() {
        // 2026-11-01: 00:30 EDT, 01:59 EDT, then 01:00 EST again.
        assert_eq!(
            both(1_793_507_400_000),
            pair("1er novembre 2026, 0 h 30", "November 1, 2026, 12:30 a.m.")
        );
        assert_eq!(
            both(1_793_512_740_000),
            pair("1er novembre 2026, 1 h 59", "November 1, 2026, 1:59 a.m.")
        );
        assert_eq!(
            both(1_793_512_800_000),
            pair("1er novembre 2026, 1 h 00", "November 1, 2026, 1:00 a.m.")
        );
        // 2025-11-02.
        assert_eq!(
            both(1_762_063_140_000),
            pair("2 novembre 2025, 1 h 59", "November 2, 2025, 1:59 a.m.")
        );
        assert_eq!(
            both(1_762_063_200_000),
            pair("2 novembre 2025, 1 h 00", "November 2, 2025, 1:00 a.m.")
        );
    }

    #[test]
    fn format_local_noon_midnight_and_extremes() {
        assert_eq!(
            both(1_780_286_400_000),
            pair("1er juin 2026, 0 h 00", "June 1, 2026, 12:00 a.m.")
        );
        assert_eq!(
            both(1_780_329_600_000),
            pair("1er juin 2026, 12 h 00", "June 1, 2026, 12:00 p.m.")
        );
        assert_eq!(
            both(1_780_333_260_000),
            pair("1er juin 2026, 13 h 01", "June 1, 2026, 1:01 p.m.")
        );
        // Out-of-range times are clamped, never a panic.
        assert_eq!(
            both(i64::MAX),
            pair("31 décembre 9999, 18 h 59", "December 31, 9999, 6:59 p.m.")
        );
        assert_eq!(format_local(i64::MIN, Language::En), "December 31, 0, 7:00 p.m.");
    }
}
