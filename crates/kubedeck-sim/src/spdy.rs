//! SPDY/3.1 framing, the server's side, as kubectl 1.36 speaks it for `port-forward`: tunnelled
//! in WebSocket binary messages (subprotocol `SPDY/3.1+portforward.k8s.io`), the messages being
//! arbitrary slices of the frame stream (`wire-portforward.txt`: kubectl writes a frame's header
//! and body as separate messages). Header blocks are zlib-compressed with the dictionary the SPDY/3
//! draft defines, one compression context per direction for the whole connection.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

const VERSION: u16 = 3;
/// A frame's flag: the sender's last frame on this stream.
pub const FLAG_FIN: u8 = 0x01;
/// Longer header blocks are refused (kubectl's are under 100 bytes).
const MAX_HEADER_BLOCK: usize = 64 * 1024;

const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const HEADERS: u16 = 8;

/// The words the SPDY/3 header dictionary lists, each stored with its length before it.
const DICTIONARY_WORDS: &[&str] = &[
    "options",
    "head",
    "post",
    "put",
    "delete",
    "trace",
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "connection",
    "content-base",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "content-type",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "location",
    "max-forwards",
    "pragma",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "retry-after",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "method",
    "get",
    "status",
    "200 OK",
    "version",
    "HTTP/1.1",
    "url",
    "public",
    "set-cookie",
    "keep-alive",
    "origin",
];

/// The dictionary's tail: status codes, reason phrases, dates and common values, as one text.
const DICTIONARY_TAIL: &str = concat!(
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request",
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented",
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ",
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,",
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=",
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
);

/// The SPDY/3 header compression dictionary (its Adler-32, E3C6A7C2, is in every header block's
/// zlib header kubectl sends; a unit test checks it).
fn dictionary() -> Vec<u8> {
    let mut out = Vec::with_capacity(1423);
    for word in DICTIONARY_WORDS {
        out.extend_from_slice(&u32::try_from(word.len()).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(word.as_bytes());
    }
    out.extend_from_slice(DICTIONARY_TAIL.as_bytes());
    out
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpdyError {
    #[error("SPDY version {0} is not supported")]
    Version(u16),
    #[error("a header block could not be decompressed")]
    Compression,
    #[error("a header block is malformed")]
    HeaderBlock,
    #[error("a {0} frame is too short")]
    Short(&'static str),
}

/// One frame the client sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    SynStream {
        stream: u32,
        headers: Vec<(String, String)>,
        fin: bool,
    },
    Data {
        stream: u32,
        fin: bool,
        data: Vec<u8>,
    },
    RstStream {
        stream: u32,
    },
    Ping(u32),
    GoAway,
    /// Frames the port-forward server has nothing to do with (SETTINGS, WINDOW_UPDATE,
    /// HEADERS after their block was read).
    Other,
}

/// One connection's framing state: the bytes received but not yet framed, and both header
/// compression contexts.
pub struct Connection {
    pending: Vec<u8>,
    inflate: Decompress,
    deflate: Compress,
}

impl Default for Connection {
    fn default() -> Self {
        let mut deflate = Compress::new(Compression::default(), true);
        // A fresh compressor accepts its dictionary; it can only fail after data went in.
        let _ = deflate.set_dictionary(&dictionary());
        Self {
            pending: Vec::new(),
            inflate: Decompress::new(true),
            deflate,
        }
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

impl Connection {
    /// Take bytes as they came (any slice of the frame stream).
    pub fn receive(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The next complete frame received, if any.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, SpdyError> {
        if self.pending.len() < 8 {
            return Ok(None);
        }
        let head: [u8; 8] = self.pending[..8].try_into().unwrap_or_default();
        let length = usize::from(head[5]) << 16 | usize::from(head[6]) << 8 | usize::from(head[7]);
        if self.pending.len() < 8 + length {
            return Ok(None);
        }
        let flags = head[4];
        let control = head[0] & 0x80 != 0;
        let word = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let body: Vec<u8> = self.pending[8..8 + length].to_vec();
        self.pending.drain(..8 + length);
        if !control {
            return Ok(Some(Frame::Data {
                stream: word & 0x7fff_ffff,
                fin: flags & FLAG_FIN != 0,
                data: body,
            }));
        }
        let version = u16::from_be_bytes([head[0] & 0x7f, head[1]]);
        if version != VERSION {
            return Err(SpdyError::Version(version));
        }
        let kind = u16::from_be_bytes([head[2], head[3]]);
        let stream = || u32_at(&body, 0).map(|s| s & 0x7fff_ffff);
        let frame = match kind {
            SYN_STREAM => {
                let stream = stream().ok_or(SpdyError::Short("SYN_STREAM"))?;
                let block = body.get(10..).ok_or(SpdyError::Short("SYN_STREAM"))?;
                Frame::SynStream {
                    stream,
                    headers: self.headers(block)?,
                    fin: flags & FLAG_FIN != 0,
                }
            }
            HEADERS => {
                // Read to keep the decompressor in step with the client's compressor.
                self.headers(body.get(4..).ok_or(SpdyError::Short("HEADERS"))?)?;
                Frame::Other
            }
            RST_STREAM => Frame::RstStream {
                stream: stream().ok_or(SpdyError::Short("RST_STREAM"))?,
            },
            PING => Frame::Ping(u32_at(&body, 0).ok_or(SpdyError::Short("PING"))?),
            GOAWAY => Frame::GoAway,
            _ => Frame::Other,
        };
        Ok(Some(frame))
    }

    /// Decompress one header block (continuing the connection's zlib stream) and read its
    /// name/value pairs; a value holding NULs is several values, kept as one here.
    fn headers(&mut self, block: &[u8]) -> Result<Vec<(String, String)>, SpdyError> {
        let mut out = Vec::with_capacity(256);
        let mut input = block;
        loop {
            out.reserve(256);
            let before_in = self.inflate.total_in();
            let result = self
                .inflate
                .decompress_vec(input, &mut out, FlushDecompress::Sync);
            let used = usize::try_from(self.inflate.total_in() - before_in).unwrap_or(0);
            input = input.get(used..).unwrap_or_default();
            match result {
                Ok(Status::Ok | Status::BufError) if input.is_empty() => break,
                Ok(Status::StreamEnd) => break,
                Ok(_) => {}
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(&dictionary())
                        .map_err(|_| SpdyError::Compression)?;
                }
                Err(_) => return Err(SpdyError::Compression),
            }
            if out.len() > MAX_HEADER_BLOCK {
                return Err(SpdyError::HeaderBlock);
            }
        }
        parse_pairs(&out)
    }

    /// A header block of `pairs`, compressed on the connection's zlib stream.
    fn header_block(&mut self, pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut plain = Vec::new();
        let count = u32::try_from(pairs.len()).unwrap_or(0);
        plain.extend_from_slice(&count.to_be_bytes());
        for (name, value) in pairs {
            for s in [name, value] {
                plain.extend_from_slice(&u32::try_from(s.len()).unwrap_or(0).to_be_bytes());
                plain.extend_from_slice(s.as_bytes());
            }
        }
        let mut out = Vec::with_capacity(plain.len() + 64);
        let mut input = &plain[..];
        loop {
            out.reserve(64);
            let before = self.deflate.total_in();
            if self
                .deflate
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .is_err()
            {
                break;
            }
            let used = usize::try_from(self.deflate.total_in() - before).unwrap_or(0);
            input = input.get(used..).unwrap_or_default();
            // Done when all input is in and the flush left room to spare.
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        out
    }

    /// SYN_REPLY for a stream the client opened (the server accepts it).
    pub fn syn_reply(&mut self, stream: u32) -> Vec<u8> {
        let mut body = stream.to_be_bytes().to_vec();
        body.extend(self.header_block(&[]));
        control(SYN_REPLY, 0, &body)
    }
}

fn parse_pairs(block: &[u8]) -> Result<Vec<(String, String)>, SpdyError> {
    let mut at = 0;
    let next = |at: &mut usize| -> Result<String, SpdyError> {
        let len = usize::try_from(u32_at(block, *at).ok_or(SpdyError::HeaderBlock)?)
            .map_err(|_| SpdyError::HeaderBlock)?;
        let bytes = block
            .get(*at + 4..*at + 4 + len)
            .ok_or(SpdyError::HeaderBlock)?;
        *at += 4 + len;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    };
    let count = u32_at(block, 0).ok_or(SpdyError::HeaderBlock)?;
    at += 4;
    let mut pairs = Vec::new();
    for _ in 0..count {
        let name = next(&mut at)?;
        let value = next(&mut at)?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn control(kind: u16, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&length_with_flags(flags, body.len()));
    out.extend_from_slice(body);
    out
}

fn length_with_flags(flags: u8, len: usize) -> [u8; 4] {
    let len = u32::try_from(len.min(0x00ff_ffff)).unwrap_or(0);
    let [_, a, b, c] = len.to_be_bytes();
    [flags, a, b, c]
}

/// DATA frames carrying `data` on `stream` (split to SPDY's 24-bit length), the last with FIN if
/// `fin`; an empty `data` with `fin` is the bare FIN that half-closes the stream.
pub fn data(stream: u32, fin: bool, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut chunks: Vec<&[u8]> = data.chunks(0x00ff_ffff).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
        let flags = if fin && i == last { FLAG_FIN } else { 0 };
        out.extend_from_slice(&length_with_flags(flags, chunk.len()));
        out.extend_from_slice(chunk);
    }
    out
}

/// The answer to a client's PING: the same ID back.
pub fn ping(id: u32) -> Vec<u8> {
    control(PING, 0, &id.to_be_bytes())
}

/// RST_STREAM with status REFUSED_STREAM (3).
pub fn refuse(stream: u32) -> Vec<u8> {
    let mut body = stream.to_be_bytes().to_vec();
    body.extend_from_slice(&3u32.to_be_bytes());
    control(RST_STREAM, 0, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes from a kubectl `-v=8` line of `wire-portforward.txt` (`bytes=80 03 ...`).
    fn hex(line: &str) -> Vec<u8> {
        line.split_whitespace()
            .filter_map(|b| u8::from_str_radix(b, 16).ok())
            .collect()
    }

    /// What kubectl wrote to the tunnel, in order, as the real cluster's trace recorded it.
    fn recorded_client_bytes() -> Vec<u8> {
        let trace = include_str!("../../../tests/fixtures/real-cluster/kinds/wire-portforward.txt");
        trace
            .lines()
            .filter(|l| l.contains("client: write:"))
            .filter_map(|l| l.split("bytes=").nth(1))
            .flat_map(hex)
            .collect()
    }

    #[test]
    fn the_dictionary_is_the_one_kubectl_compresses_with() {
        let dict = dictionary();
        assert_eq!(dict.len(), 1423);
        // kubectl's first header block starts 78 F9 E3 C6 A7 C2: zlib with a preset
        // dictionary whose Adler-32 is E3C6A7C2.
        let (mut a, mut b) = (1u32, 0u32);
        for byte in &dict {
            a = (a + u32::from(*byte)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!((b << 16) | a, 0xE3C6_A7C2);
    }

    #[test]
    fn kubectls_recorded_frames_read_as_the_port_forward_protocol() {
        let mut conn = Connection::default();
        // Fed in small slices, as the WebSocket messages cut the stream anywhere.
        let mut frames = Vec::new();
        for piece in recorded_client_bytes().chunks(3) {
            conn.receive(piece);
            while let Some(f) = conn.next_frame().unwrap() {
                frames.push(f);
            }
        }
        let header = |f: &Frame, name: &str| match f {
            Frame::SynStream { headers, .. } => headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone()),
            _ => None,
        };
        let syns: Vec<&Frame> = frames
            .iter()
            .filter(|f| matches!(f, Frame::SynStream { .. }))
            .collect();
        // Per connection: an error stream, then a data stream, both for remote port 8080.
        assert!(syns.len() >= 4, "{frames:?}");
        assert_eq!(header(syns[0], "streamtype").as_deref(), Some("error"));
        assert_eq!(header(syns[1], "streamtype").as_deref(), Some("data"));
        assert_eq!(header(syns[1], "port").as_deref(), Some("8080"));
        assert_eq!(header(syns[0], "requestid"), header(syns[1], "requestid"));
        assert_ne!(header(syns[1], "requestid"), header(syns[3], "requestid"));
        // The data stream carried curl's request.
        let request: Vec<u8> = frames
            .iter()
            .filter_map(|f| match f {
                Frame::Data {
                    stream: 3, data, ..
                } => Some(data.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(request.starts_with(b"GET / HTTP/1.1\r\n"), "{request:?}");
    }

    #[test]
    fn replies_decompress_with_the_clients_decompressor() {
        // The server's replies read back through a decompressor as kubectl's reads them.
        let mut server = Connection::default();
        let mut client = Connection::default();
        for stream in [1, 3, 5] {
            let reply = server.syn_reply(stream);
            assert_eq!(&reply[..4], &[0x80, 0x03, 0x00, 0x02]);
            let block = &reply[12..];
            assert_eq!(client.headers(block), Ok(Vec::new()));
        }
        // The real server's first reply was the same empty block.
        let real = hex("78 F9 E3 C6 A7 C2 62 60 60 60 00 00 00 00 FF FF");
        assert_eq!(Connection::default().headers(&real), Ok(Vec::new()));
        assert_eq!(
            data(3, true, b""),
            hex("00 00 00 03 01 00 00 00"),
            "a bare FIN, as the kubelet closed the data stream"
        );
        assert_eq!(ping(7), hex("80 03 00 06 00 00 00 04 00 00 00 07"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut conn = Connection::default();
        conn.receive(&hex("80 02 00 01 00 00 00 00"));
        assert_eq!(conn.next_frame(), Err(SpdyError::Version(2)));
        let mut conn = Connection::default();
        conn.receive(&hex(
            "80 03 00 01 00 00 00 0C 00 00 00 01 00 00 00 00 00 00 FF FF",
        ));
        assert!(conn.next_frame().is_err());
        let mut conn = Connection::default();
        conn.receive(&hex("80 03 00 06 00 00 00 01 00"));
        assert_eq!(conn.next_frame(), Err(SpdyError::Short("PING")));
    }
}
