//! Profile photos: decoded, cropped, resized and re-encoded on the server.
//!
//! What an upload gives us is never stored as such. The bytes are sniffed
//! (the declared content type is not trusted), decoded under limits that
//! refuse decompression bombs, turned upright from their EXIF orientation,
//! cropped to a square, resized to [`PHOTO_SIZE`] and encoded anew as a
//! baseline JPEG from the pixels alone: no EXIF (so no GPS position), no XMP,
//! no ICC profile, no comment survives.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// The largest upload accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// The side of the stored photo, in pixels (a square JPEG).
pub const PHOTO_SIZE: u32 = 256;

/// The widest and tallest image decoded, in pixels.
const MAX_DIMENSION: u32 = 8000;

/// The most memory a decoder may ask for (8000 x 8000 RGBA at 8 bits).
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// JPEG quality of the stored photo.
const JPEG_QUALITY: u8 = 85;

/// Crops larger than this many times [`PHOTO_SIZE`] are first shrunk with a
/// fast box filter, then finished with Lanczos3: same look, far less work.
const PRESHRINK_FACTOR: u32 = 4;

/// Why a photo was refused. Each has a stable code for clients.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is empty or too large")]
    TooLarge,
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the crop is outside the image")]
    BadCrop,
}

impl PhotoError {
    /// The stable code clients see and the suffix of the message id.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::TooLarge => "photo-too-large",
            PhotoError::NotAnImage => "photo-not-an-image",
            PhotoError::BadCrop => "photo-bad-crop",
        }
    }
}

/// A square crop, in fractions of the upright (orientation-corrected) image.
///
/// `x` and `y` place the top-left corner as fractions of the width and the
/// height (0 to 1); `size` is the side of the square as a fraction of the
/// shorter side (more than 0, at most 1). A square that would run past the
/// right or bottom edge is moved back inside. Either `x` or `y` may also be
/// [`Crop::CENTER`], which centres the square along that axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Crop {
    pub x: f64,
    pub y: f64,
    pub size: f64,
}

impl Crop {
    /// Put in `x` or `y` to centre the square along that axis.
    pub const CENTER: f64 = -1.0;

    /// The largest centred square.
    pub fn centered() -> Crop {
        Crop {
            x: Crop::CENTER,
            y: Crop::CENTER,
            size: 1.0,
        }
    }

    /// The square in pixels, `(left, top, side)`, inside a `width` x `height`
    /// image; refuses NaN, infinities and fractions out of range.
    fn square(&self, width: u32, height: u32) -> Result<(u32, u32, u32), PhotoError> {
        let position_ok = |v: f64| v == Crop::CENTER || (0.0..=1.0).contains(&v);
        let valid = position_ok(self.x) && position_ok(self.y) && self.size > 0.0 && self.size <= 1.0;
        if !valid {
            return Err(PhotoError::BadCrop);
        }
        let shorter = width.min(height);
        if shorter == 0 {
            return Err(PhotoError::NotAnImage);
        }
        // Float to integer `as` casts saturate; the values are in range anyway.
        let side = ((self.size * f64::from(shorter)).round() as u32).clamp(1, shorter);
        let place = |fraction: f64, extent: u32| -> u32 {
            let room = extent - side;
            if fraction == Crop::CENTER {
                room / 2
            } else {
                ((fraction * f64::from(extent)).round() as u32).min(room)
            }
        };
        Ok((place(self.x, width), place(self.y, height), side))
    }
}

/// Turns an uploaded photo into the stored one: a [`PHOTO_SIZE`] square
/// baseline JPEG without any metadata.
pub fn process(bytes: &[u8], crop: &Crop) -> Result<Vec<u8>, PhotoError> {
    if bytes.is_empty() || bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let image = decode_upright(bytes)?;
    let (left, top, side) = crop.square(image.width(), image.height())?;
    let square = flatten_on_white(image.crop_imm(left, top, side, side));
    drop(image);
    let photo = resize(&square);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&photo)
        // Encoding a 256 x 256 RGB buffer into memory does not fail; should it
        // ever, the upload is what we could not handle.
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(out)
}

/// Sniffs the format, decodes under limits and applies the EXIF orientation.
fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(PhotoError::NotAnImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(from_image_error)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooLarge);
    }
    // A damaged EXIF block is no reason to refuse the pixels.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn from_image_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooLarge,
        _ => PhotoError::NotAnImage,
    }
}

/// RGB at 8 bits, transparent parts composed over white.
/// Drops the alpha channel by composing on white (also used for attachments).
pub(crate) fn flatten_on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, pixel) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(pixel[3]);
        for channel in 0..3 {
            let over = u32::from(pixel[channel]) * alpha + 255 * (255 - alpha);
            out[channel] = ((over + 127) / 255) as u8;
        }
    }
    rgb
}

fn resize(square: &RgbImage) -> RgbImage {
    if square.width() > PRESHRINK_FACTOR * PHOTO_SIZE {
        let smaller = imageops::thumbnail(square, 2 * PHOTO_SIZE, 2 * PHOTO_SIZE);
        imageops::resize(&smaller, PHOTO_SIZE, PHOTO_SIZE, FilterType::Lanczos3)
    } else {
        imageops::resize(square, PHOTO_SIZE, PHOTO_SIZE, FilterType::Lanczos3)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::{ImageEncoder, Rgb, Rgba, RgbaImage};

    const RED: [u8; 3] = [255, 0, 0];
    const BLUE: [u8; 3] = [0, 0, 255];

    /// Latitude 48/1, 51/1, 0x13371337/0xC0FFEE42: the last rational is a
    /// marker no encoder would write by chance.
    const GPS_LATITUDE: [u8; 24] = [
        0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 51, 0, 0, 0, 1, 0x13, 0x37, 0x13, 0x37, 0xC0, 0xFF, 0xEE, 0x42,
    ];

    /// `width` x `height`, left half red, right half blue.
    fn halves(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb(RED) } else { Rgb(BLUE) })
    }

    fn jpeg(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 95).encode_image(image).unwrap();
        out
    }

    fn png_rgba(image: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    /// A big-endian TIFF block: IFD0 with Orientation and a GPSInfo pointer,
    /// then a GPS IFD with a latitude reference and the planted latitude.
    fn exif_tiff(orientation: u16) -> Vec<u8> {
        fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
            t.extend_from_slice(&tag.to_be_bytes());
            t.extend_from_slice(&kind.to_be_bytes());
            t.extend_from_slice(&count.to_be_bytes());
            t.extend_from_slice(&value);
        }
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const ASCII: u16 = 2;
        const RATIONAL: u16 = 5;
        let ifd0 = 8u32;
        let gps_ifd = ifd0 + 2 + 2 * 12 + 4;
        let latitude = gps_ifd + 2 + 2 * 12 + 4;

        let mut t = b"MM\0\x2a".to_vec();
        t.extend_from_slice(&ifd0.to_be_bytes());
        t.extend_from_slice(&2u16.to_be_bytes());
        let o = orientation.to_be_bytes();
        entry(&mut t, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
        entry(&mut t, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(t.len() as u32, gps_ifd);
        t.extend_from_slice(&2u16.to_be_bytes());
        entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, RATIONAL, 3, latitude.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(t.len() as u32, latitude);
        t.extend_from_slice(&GPS_LATITUDE);
        t
    }

    /// Puts an APP1 "Exif" segment right after the SOI marker.
    fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(tiff);
        let length = u16::try_from(payload.len() + 2).unwrap();
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn decode_output(bytes: &[u8]) -> RgbImage {
        assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Jpeg);
        let image = image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap();
        assert_eq!((image.width(), image.height()), (PHOTO_SIZE, PHOTO_SIZE));
        image.into_rgb8()
    }

    fn near(pixel: &Rgb<u8>, expected: [u8; 3]) -> bool {
        pixel.0.iter().zip(expected).all(|(&a, b)| a.abs_diff(b) <= 40)
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }

    #[test]
    fn photo_exif_orientation_applied_and_metadata_stripped() {
        let input = with_exif(&jpeg(&halves(128, 64)), &exif_tiff(6));
        // The fixture really carries what we mean to strip and to apply.
        assert!(contains(&input, b"Exif\0\0"));
        assert!(contains(&input, &GPS_LATITUDE));
        let mut decoder = ImageReader::new(Cursor::new(&input))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.orientation().unwrap(), Orientation::Rotate90);

        let output = process(&input, &Crop::centered()).unwrap();
        assert!(!contains(&output, b"Exif"));
        assert!(!contains(&output, &GPS_LATITUDE));
        assert!(!contains(&output, &[0x13, 0x37, 0x13, 0x37]));
        assert!(!contains(&output, b"MM\0\x2a"));
        assert!(!contains(&output, b"ICC_PROFILE"));
        assert!(!contains(&output, b"http://ns.adobe.com/xap"));
        assert!(!contains(&output, &[0xFF, 0xE1]), "no APP1 segment at all");
        // Baseline: SOF0, never SOF2.
        assert!(contains(&output, &[0xFF, 0xC0]));
        assert!(!contains(&output, &[0xFF, 0xC2]));

        // Turned a quarter clockwise: the red left half is now on top.
        let photo = decode_output(&output);
        assert!(near(photo.get_pixel(128, 40), RED), "{:?}", photo.get_pixel(128, 40));
        assert!(near(photo.get_pixel(128, 216), BLUE), "{:?}", photo.get_pixel(128, 216));
    }

    #[test]
    fn photo_without_orientation_keeps_left_and_right() {
        let output = process(&jpeg(&halves(128, 64)), &Crop::centered()).unwrap();
        let photo = decode_output(&output);
        assert!(near(photo.get_pixel(40, 128), RED));
        assert!(near(photo.get_pixel(216, 128), BLUE));
    }

    #[test]
    fn photo_crop_of_right_half_picks_right_colours() {
        // 200 x 100: left half red, right half blue, with a green band at the
        // top of the right half so the crop's placement shows.
        let mut image = halves(200, 100);
        for x in 100..200 {
            for y in 0..20 {
                image.put_pixel(x, y, Rgb([0, 255, 0]));
            }
        }
        let mut rgba = RgbaImage::new(200, 100);
        for (x, y, p) in image.enumerate_pixels() {
            rgba.put_pixel(x, y, Rgba([p[0], p[1], p[2], 255]));
        }
        let crop = Crop {
            x: 0.5,
            y: 0.0,
            size: 1.0,
        };
        let photo = decode_output(&process(&png_rgba(&rgba), &crop).unwrap());
        assert!(near(photo.get_pixel(10, 200), BLUE));
        assert!(near(photo.get_pixel(245, 200), BLUE));
        assert!(near(photo.get_pixel(128, 10), [0, 255, 0]));

        // Past the right edge: moved back inside, same square.
        let crop = Crop {
            x: 0.9,
            y: 0.0,
            size: 1.0,
        };
        let photo = decode_output(&process(&png_rgba(&rgba), &crop).unwrap());
        assert!(near(photo.get_pixel(10, 200), BLUE));

        // A quarter-size square in the top-left corner: all red.
        let crop = Crop {
            x: 0.0,
            y: 0.0,
            size: 0.5,
        };
        let photo = decode_output(&process(&png_rgba(&rgba), &crop).unwrap());
        assert!(near(photo.get_pixel(5, 5), RED));
        assert!(near(photo.get_pixel(250, 250), RED));
    }

    #[test]
    fn photo_png_with_alpha_is_composed_on_white() {
        // Left half transparent, right half opaque blue.
        let image = RgbaImage::from_fn(64, 64, |x, _| {
            if x < 32 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([0, 0, 255, 255])
            }
        });
        let photo = decode_output(&process(&png_rgba(&image), &Crop::centered()).unwrap());
        assert!(
            near(photo.get_pixel(40, 128), [255, 255, 255]),
            "{:?}",
            photo.get_pixel(40, 128)
        );
        assert!(near(photo.get_pixel(216, 128), BLUE));
    }

    #[test]
    fn photo_webp_is_accepted() {
        let image = halves(64, 64);
        let mut bytes = Vec::new();
        WebPEncoder::new_lossless(&mut bytes)
            .encode(image.as_raw(), 64, 64, image::ExtendedColorType::Rgb8)
            .unwrap();
        let photo = decode_output(&process(&bytes, &Crop::centered()).unwrap());
        assert!(near(photo.get_pixel(40, 128), RED));
    }

    #[test]
    fn photo_text_is_not_an_image() {
        let error = process(b"<script>alert(1)</script>", &Crop::centered()).unwrap_err();
        assert!(matches!(error, PhotoError::NotAnImage));
        assert_eq!(error.code(), "photo-not-an-image");
    }

    #[test]
    fn photo_gif_is_not_an_image() {
        let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert!(matches!(process(gif, &Crop::centered()), Err(PhotoError::NotAnImage)));
    }

    #[test]
    fn photo_truncated_jpeg_is_refused_or_decoded_safely() {
        let bytes = jpeg(&halves(64, 64));
        // Headers only: no pixel data at all.
        let error = process(&bytes[..20], &Crop::centered()).unwrap_err();
        assert!(matches!(error, PhotoError::NotAnImage));
    }

    #[test]
    fn photo_empty_or_oversize_is_too_large() {
        let error = process(&[], &Crop::centered()).unwrap_err();
        assert!(matches!(error, PhotoError::TooLarge));
        let mut big = jpeg(&halves(16, 16));
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        let error = process(&big, &Crop::centered()).unwrap_err();
        assert!(matches!(error, PhotoError::TooLarge));
        assert_eq!(error.code(), "photo-too-large");
    }

    #[test]
    fn photo_png_bomb_header_is_too_large() {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
        png_chunk(&mut bytes, b"IHDR", &ihdr);
        png_chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        png_chunk(&mut bytes, b"IEND", &[]);
        let error = process(&bytes, &Crop::centered()).unwrap_err();
        assert!(matches!(error, PhotoError::TooLarge), "{error:?}");
    }

    #[test]
    fn photo_jpeg_bomb_header_is_too_large() {
        let mut bytes = jpeg(&halves(16, 16));
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        // SOF0: marker, length (2), precision (1), height (2), width (2).
        bytes[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        let error = process(&bytes, &Crop::centered()).unwrap_err();
        assert!(matches!(error, PhotoError::TooLarge), "{error:?}");
    }

    #[test]
    fn photo_bad_crop_is_refused() {
        let bytes = jpeg(&halves(64, 32));
        for (x, y, size) in [
            (f64::NAN, 0.0, 1.0),
            (0.0, f64::NAN, 1.0),
            (0.0, 0.0, f64::NAN),
            (-0.1, 0.0, 0.5),
            (0.0, 1.5, 0.5),
            (0.0, 0.0, 0.0),
            (0.0, 0.0, 1.01),
            (0.0, 0.0, -0.5),
            (f64::INFINITY, 0.0, 0.5),
        ] {
            let error = process(&bytes, &Crop { x, y, size }).unwrap_err();
            assert!(matches!(error, PhotoError::BadCrop), "{x} {y} {size}: {error:?}");
            assert_eq!(error.code(), "photo-bad-crop");
        }
    }

    #[test]
    fn photo_crop_square_clamps_inside() {
        assert_eq!(Crop::centered().square(200, 100).unwrap(), (50, 0, 100));
        assert_eq!(Crop::centered().square(100, 300).unwrap(), (0, 100, 100));
        let crop = Crop {
            x: 1.0,
            y: 1.0,
            size: 0.5,
        };
        assert_eq!(crop.square(200, 100).unwrap(), (150, 50, 50));
        let tiny = Crop {
            x: 0.0,
            y: 0.0,
            size: 1e-9,
        };
        assert_eq!(tiny.square(200, 100).unwrap(), (0, 0, 1));
    }

    #[test]
    fn photo_large_image_is_resized() {
        let image = halves(3000, 2000);
        let photo = decode_output(&process(&jpeg(&image), &Crop::centered()).unwrap());
        assert!(near(photo.get_pixel(40, 128), RED));
        assert!(near(photo.get_pixel(216, 128), BLUE));
    }
}
