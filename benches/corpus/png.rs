//! Three simple diagrams for the chapters' figures, drawn on a palette canvas and written as
//! PNG by hand, so the corpus needs no image crate and the bytes never depend on a
//! compressor's version. The deflate stream is the simplest that still compresses like a
//! real PNG (EPUB packagers store PNGs as they are, so an uncompressed one would bloat every
//! EPUB in the benchmark): one block with the fixed Huffman codes of RFC 1951 and only
//! run-length matches (distance 1), which is what flat-colour diagrams consist of.

/// White, dark grey, the house teal, light teal, light grey.
const PALETTE: [[u8; 3]; 5] = [
    [255, 255, 255],
    [51, 51, 51],
    [31, 111, 120],
    [169, 211, 214],
    [221, 221, 221],
];
const WHITE: u8 = 0;
const DARK: u8 = 1;
const TEAL: u8 = 2;
const LIGHT: u8 = 3;
const GREY: u8 = 4;

const W: usize = 800;
const H: usize = 450;

struct Canvas {
    px: Vec<u8>,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            px: vec![WHITE; W * H],
        }
    }

    fn rect(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, c: u8) {
        for y in y0.min(H)..y1.min(H) {
            self.px[y * W + x0.min(W)..y * W + x1.min(W)].fill(c);
        }
    }

    /// A frame of width `t` inside the rectangle.
    fn frame(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, t: usize, c: u8) {
        self.rect(x0, y0, x1, y0 + t, c);
        self.rect(x0, y1 - t, x1, y1, c);
        self.rect(x0, y0, x0 + t, y1, c);
        self.rect(x1 - t, y0, x1, y1, c);
    }

    /// Fills the points whose distance from the centre lies in `r0..r1`.
    fn ring(&mut self, cx: f64, cy: f64, r0: f64, r1: f64, c: u8) {
        for y in 0..H {
            for x in 0..W {
                let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
                if d >= r0 && d < r1 {
                    self.px[y * W + x] = c;
                }
            }
        }
    }

    /// A right-pointing arrow head with its tip at (x, y).
    fn arrow_head(&mut self, x: usize, y: usize, size: usize, c: u8) {
        for i in 0..size {
            let half = (size - i) / 2;
            self.rect(x - size + i, y - half, x - size + i + 1, y + half + 1, c);
        }
    }
}

/// The figures' files: a bar chart, concentric rings (an ecological model) and a cycle of
/// steps. Their names say what they show, so a caption can be chosen to match.
pub fn images() -> Vec<(String, Vec<u8>)> {
    vec![
        ("staafdiagram.png".into(), encode(&bars().px)),
        ("ringen.png".into(), encode(&rings().px)),
        ("stappen.png".into(), encode(&steps().px)),
    ]
}

fn bars() -> Canvas {
    let mut c = Canvas::new();
    c.rect(80, 380, 740, 384, DARK);
    c.rect(80, 40, 84, 384, DARK);
    for g in 0..4 {
        c.rect(84, 80 + g * 75, 740, 81 + g * 75, GREY);
    }
    let heights = [120, 170, 150, 230, 210, 280, 260, 320];
    for (i, h) in heights.iter().enumerate() {
        let x = 110 + i * 78;
        c.rect(
            x,
            380 - h,
            x + 50,
            380,
            if i % 2 == 0 { TEAL } else { LIGHT },
        );
    }
    c
}

fn rings() -> Canvas {
    let mut c = Canvas::new();
    let colours = [GREY, LIGHT, WHITE, LIGHT];
    for (i, col) in colours.iter().enumerate() {
        let r = 210.0 - i as f64 * 45.0;
        c.ring(400.0, 225.0, r - 45.0, r, *col);
        c.ring(400.0, 225.0, r - 3.0, r, TEAL);
    }
    c.ring(400.0, 225.0, 0.0, 30.0, DARK);
    c
}

fn steps() -> Canvas {
    let mut c = Canvas::new();
    for i in 0..5 {
        let x = 40 + i * 150;
        c.rect(x, 160, x + 110, 260, LIGHT);
        c.frame(x, 160, x + 110, 260, 4, TEAL);
        if i < 4 {
            c.rect(x + 110, 208, x + 146, 212, DARK);
            c.arrow_head(x + 150, 210, 14, DARK);
        }
    }
    // The way back from the last step to the first: the cycle starts again.
    c.rect(94, 260, 98, 340, DARK);
    c.rect(694, 260, 698, 340, DARK);
    c.rect(94, 336, 698, 340, DARK);
    c
}

/// An 8-bit palette PNG of the W×H canvas.
fn encode(px: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((W + 1) * H);
    for row in px.chunks(W) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut zlib = vec![0x78, 0x01];
    zlib.extend_from_slice(&deflate_runs(&raw));
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(W as u32).to_be_bytes());
    ihdr.extend_from_slice(&(H as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]); // 8 bits, indexed colour, deflate, no filter, no interlace
    let plte: Vec<u8> = PALETTE.iter().flatten().copied().collect();

    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"PLTE", &plte);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Length codes 257..=285 of RFC 1951: the shortest length of each, and its extra bits.
const LENGTH_BASE: [u32; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u32; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// One final deflate block with fixed Huffman codes: literals, and runs of the previous byte
/// as matches at distance 1.
fn deflate_runs(data: &[u8]) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.bits(1, 1); // BFINAL
    w.bits(1, 2); // BTYPE 01: fixed codes
    let mut i = 0;
    while i < data.len() {
        let run = if i > 0 {
            data[i..]
                .iter()
                .take(258)
                .take_while(|&&b| b == data[i - 1])
                .count()
        } else {
            0
        };
        if run >= 3 {
            let k = LENGTH_BASE
                .iter()
                .rposition(|&b| b <= run as u32)
                .unwrap_or(0);
            w.symbol(257 + k as u32);
            w.bits(run as u32 - LENGTH_BASE[k], LENGTH_EXTRA[k]);
            w.huffman(0, 5); // distance code 0: distance 1
            i += run;
        } else {
            w.symbol(data[i] as u32);
            i += 1;
        }
    }
    w.symbol(256); // end of block
    w.finish()
}

/// Deflate's bit order: fields least significant bit first, Huffman codes most significant first.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u32, count: u32) {
        self.acc |= (value as u64) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn huffman(&mut self, code: u32, len: u32) {
        self.bits(code.reverse_bits() >> (32 - len), len);
    }

    /// A literal/length symbol in the fixed code.
    fn symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.huffman(0x30 + sym, 8),
            144..=255 => self.huffman(0x190 + sym - 144, 9),
            256..=279 => self.huffman(sym - 256, 7),
            _ => self.huffman(0xc0 + sym - 280, 8),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }
}
