//! A strict JSON scanner that keeps the byte position of every value, so a pin can be rewritten
//! in place; serde_json forgets where values were.

use std::ops::Range;

/// Deep enough for any configuration file, shallow enough to never exhaust the stack.
const MAX_DEPTH: usize = 256;

#[derive(Debug)]
pub(super) struct Node {
    /// Byte offset of the value's first character.
    pub start: usize,
    pub value: Value,
}

#[derive(Debug)]
pub(super) enum Value {
    Object(Vec<Member>),
    Array(Vec<Node>),
    /// `span` excludes the quotes; `escaped` is whether it holds a backslash sequence.
    String {
        span: Range<usize>,
        escaped: bool,
    },
    /// A number, `true`, `false` or `null`, named for messages.
    Scalar(&'static str),
}

#[derive(Debug)]
pub(super) struct Member {
    /// The key with its escapes decoded.
    pub key: String,
    pub key_start: usize,
    pub node: Node,
}

impl Value {
    /// What kind of value this is, in words for an error message.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Object(_) => "an object",
            Value::Array(_) => "an array",
            Value::String { .. } => "a string",
            Value::Scalar(kind) => kind,
        }
    }
}

/// Where and why the document is not JSON.
#[derive(Debug)]
pub(super) struct SyntaxError {
    pub pos: usize,
    pub why: String,
}

/// Parses the whole document, after an optional UTF-8 byte order mark.
pub(super) fn parse(content: &[u8]) -> Result<Node, SyntaxError> {
    if let Err(e) = std::str::from_utf8(content) {
        return Err(SyntaxError {
            pos: e.valid_up_to(),
            why: "the file is not UTF-8".into(),
        });
    }
    let start = if content.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut scanner = Scanner {
        bytes: content,
        pos: start,
        depth: 0,
    };
    scanner.skip_whitespace();
    let root = scanner.value()?;
    scanner.skip_whitespace();
    if scanner.pos < content.len() {
        return Err(scanner.error("unexpected text after the end of the document"));
    }
    Ok(root)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Scanner<'_> {
    fn error(&self, why: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.pos,
            why: why.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected '{}' {}", byte as char, self.found())))
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "but the file ends".into(),
            Some(b) if b.is_ascii_graphic() => format!("but found '{}'", b as char),
            Some(b) => format!("but found byte 0x{b:02x}"),
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => {
                let (span, escaped, _) = self.string()?;
                Value::String { span, escaped }
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Value::Scalar("a number")
            }
            Some(b't') => self.word(b"true", "true")?,
            Some(b'f') => self.word(b"false", "false")?,
            Some(b'n') => self.word(b"null", "null")?,
            _ => return Err(self.error(format!("expected a value {}", self.found()))),
        };
        Ok(Node { start, value })
    }

    fn nested(
        &mut self,
        parse: fn(&mut Self) -> Result<Value, SyntaxError>,
    ) -> Result<Value, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        let value = parse(self);
        self.depth -= 1;
        value
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error(format!("expected a quoted key {}", self.found())));
            }
            let key_start = self.pos;
            let (_, _, key) = self.string()?;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let node = self.value()?;
            members.push(Member {
                key,
                key_start,
                node,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error(format!("expected ',' or '}}' {}", self.found()))),
            }
        }
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error(format!("expected ',' or ']' {}", self.found()))),
            }
        }
    }

    /// A quoted string: its span without quotes, whether it had escapes, and its decoded text.
    fn string(&mut self) -> Result<(Range<usize>, bool, String), SyntaxError> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        let mut text = String::new();
        loop {
            let run = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            // The document was checked to be UTF-8 and runs stop only at ASCII bytes.
            text.push_str(&String::from_utf8_lossy(&self.bytes[run..self.pos]));
            match self.peek() {
                Some(b'"') => {
                    let span = start..self.pos;
                    self.pos += 1;
                    return Ok((span, escaped, text));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    text.push(self.escape()?);
                }
                None => return Err(self.error("a string is not closed")),
                Some(_) => {
                    return Err(self.error("a control character inside a string must be escaped"));
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape();
            }
            _ => return Err(self.error(format!("an unknown escape sequence {}", self.found()))),
        };
        self.pos += 1;
        Ok(c)
    }

    /// `\uXXXX`, with a following `\uXXXX` when the first is a high surrogate.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(self.error("a \\u escape is half of a surrogate pair"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("a \\u escape is half of a surrogate pair"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("a \\u escape is half of a surrogate pair"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.error("a \\u escape needs four hex digits"))?;
        let code = digits.iter().fold(0, |code, &d| {
            code * 16 + (d as char).to_digit(16).unwrap_or(0)
        });
        self.pos += 4;
        Ok(code)
    }

    fn number(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error(format!("expected a digit {}", self.found()))),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), SyntaxError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error(format!("expected a digit {}", self.found())));
        }
        self.digits();
        Ok(())
    }

    fn word(&mut self, word: &[u8], kind: &'static str) -> Result<Value, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(Value::Scalar(kind))
        } else {
            Err(self.error(format!("expected a value {}", self.found())))
        }
    }
}
