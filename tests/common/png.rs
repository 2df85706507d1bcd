//! Just enough PNG decoding to look at a browser screenshot: 8-bit RGB or
//! RGBA, non-interlaced (what Chromium writes), inflated with flate2 (already
//! a dependency) and unfiltered per scanline.

use std::io::Read;

/// An image as rows of RGB pixels.
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<[u8; 3]>,
}

impl Image {
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }
}

fn be32(bytes: &[u8]) -> usize {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Decodes a PNG file's bytes.
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    if bytes.get(..8) != Some(b"\x89PNG\r\n\x1a\n") {
        return Err("not a PNG".into());
    }
    let (mut at, mut header, mut data) = (8, None, Vec::new());
    while at + 8 <= bytes.len() {
        let len = be32(&bytes[at..]);
        let kind = &bytes[at + 4..at + 8];
        let body = bytes.get(at + 8..at + 8 + len).ok_or("cut chunk")?;
        match kind {
            b"IHDR" => header = Some((be32(body), be32(&body[4..]), body[8], body[9], body[12])),
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let (width, height, depth, color, interlace) = header.ok_or("no IHDR")?;
    let channels = match (depth, color, interlace) {
        (8, 2, 0) => 3,
        (8, 6, 0) => 4,
        other => return Err(format!("unsupported PNG layout {other:?}")),
    };
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&data[..])
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    let stride = width * channels;
    if raw.len() != height * (stride + 1) {
        return Err("image data of the wrong size".into());
    }
    let mut previous = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let mut row = line[1..].to_vec();
        for i in 0..stride {
            let a = if i >= channels { row[i - channels] } else { 0 };
            let b = previous[i];
            let c = if i >= channels {
                previous[i - channels]
            } else {
                0
            };
            row[i] = row[i].wrapping_add(match line[0] {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                4 => paeth(a, b, c),
                f => return Err(format!("unknown filter {f}")),
            });
        }
        pixels.extend(row.chunks(channels).map(|p| [p[0], p[1], p[2]]));
        previous = row;
    }
    Ok(Image {
        width,
        height,
        pixels,
    })
}
