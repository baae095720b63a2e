//! A small JSON reader for the testsuite's specifications: objects, arrays,
//! strings (with every escape JSON has), numbers, booleans and null. The
//! specifications are a few lines each, so this reads whole values into a
//! tree rather than streaming; no serde is needed for that.

use anyhow::{Result, bail};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    /// Members in the file's order; a repeated key is an error when read.
    Obj(Vec<(String, Value)>),
}

impl Value {
    /// What a value is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Arr(_) => "an array",
            Value::Obj(_) => "an object",
        }
    }
}

/// Parses one JSON document; anything after it but whitespace is an error.
pub fn parse(text: &str) -> Result<Value> {
    let mut reader = Reader {
        text: text.as_bytes(),
        pos: 0,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.pos != reader.text.len() {
        reader.fail("unexpected text after the JSON value")?;
    }
    Ok(value)
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    /// An error naming the line and column of the current position.
    fn fail<T>(&self, what: &str) -> Result<T> {
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        bail!("line {line}, column {column}: {what}")
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        self.skip_space();
        if self.peek() != Some(byte) {
            return self.fail(&format!("expected `{}`", byte as char));
        }
        self.pos += 1;
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        self.skip_space();
        match self.peek() {
            None => self.fail("unexpected end of the file"),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.fail("expected a JSON value"),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value> {
        if self.text[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            self.fail("expected a JSON value")
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Obj(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return self.fail("expected a member name in double quotes");
            }
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return self.fail(&format!("the key \"{key}\" appears twice"));
            }
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Obj(members));
                }
                _ => return self.fail("expected `,` or `}`"),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Arr(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Arr(items));
                }
                _ => return self.fail("expected `,` or `]`"),
            }
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(n) if is_json_number(text) && n.is_finite() => Ok(Value::Num(n)),
            _ => {
                self.pos = start;
                self.fail(&format!("`{text}` is not a JSON number"))
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return self.fail("a string is not closed");
            };
            self.pos += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(escape) = self.peek() else {
                        return self.fail("a string is not closed");
                    };
                    self.pos += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return self.fail("unknown escape in a string"),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return self.fail("a control character inside a string"),
                _ => out.push(byte),
            }
        }
        match String::from_utf8(out) {
            Ok(s) => Ok(s),
            Err(_) => self.fail("a string is not valid UTF-8"),
        }
    }

    /// The code point of `\uXXXX`, or of a surrogate pair `\uD8xx\uDCxx`.
    fn unicode_escape(&mut self) -> Result<char> {
        let high = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&high) {
            if !self.text[self.pos..].starts_with(b"\\u") {
                return self.fail("a lone surrogate in a \\u escape");
            }
            self.pos += 2;
            let low = self.hex4()?;
            if !(0xdc00..0xe000).contains(&low) {
                return self.fail("a lone surrogate in a \\u escape");
            }
            0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
        } else {
            high
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.fail("a lone surrogate in a \\u escape"),
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.text.get(self.pos..self.pos + 4).unwrap_or(b"");
        let text = std::str::from_utf8(digits).unwrap_or("");
        match u32::from_str_radix(text, 16) {
            Ok(n) if text.len() == 4 && text.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.pos += 4;
                Ok(n)
            }
            _ => self.fail("expected four hex digits after \\u"),
        }
    }
}

/// JSON's number grammar: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)?
/// ([eE] [+-]? [0-9]+)?, stricter than Rust's float syntax (no `+1`, `.5`,
/// `1.` or `01`).
fn is_json_number(text: &str) -> bool {
    fn digits(b: &[u8]) -> usize {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let b = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let int = digits(b);
    if int == 0 || (int > 1 && b[0] == b'0') {
        return false;
    }
    let mut rest = &b[int..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = digits(frac);
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exp = exp
            .strip_prefix(b"+")
            .or_else(|| exp.strip_prefix(b"-"))
            .unwrap_or(exp);
        let n = digits(exp);
        if n == 0 {
            return false;
        }
        rest = &exp[n..];
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::{Value, parse};

    fn s(text: &str) -> Value {
        Value::Str(text.to_string())
    }

    #[test]
    fn reads_the_suites_shapes() {
        let v =
            parse(r#"{ "args": ["first", "the \"second\" arg", "3"], "exit_code": 33 }"#).unwrap();
        assert_eq!(
            v,
            Value::Obj(vec![
                (
                    "args".into(),
                    Value::Arr(vec![s("first"), s("the \"second\" arg"), s("3")])
                ),
                ("exit_code".into(), Value::Num(33.0)),
            ])
        );
        assert_eq!(parse("{}\n").unwrap(), Value::Obj(vec![]));
        assert_eq!(
            parse(r#"[true, false, null, -1.5e2, 0]"#).unwrap(),
            Value::Arr(vec![
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::Num(-150.0),
                Value::Num(0.0)
            ])
        );
    }

    #[test]
    fn decodes_every_escape() {
        assert_eq!(
            parse(r#""new\nline \t \\ \/ \u00e9 \ud83d\ude00""#).unwrap(),
            s("new\nline \t \\ / é 😀")
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            r#"{"a" 1}"#,
            r#"{"a": 1,}"#,
            "[1 2]",
            r#"{"a": 1} x"#,
            r#"{a: 1}"#,
            r#""open"#,
            r#""bad \q escape""#,
            r#""\ud800 alone""#,
            "01",
            "+1",
            "1.",
            ".5",
            "tru",
            r#"{"a": 1, "a": 2}"#,
            "\"tab\tinside\"",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
        let err = parse("{\n  \"a\": [1,\n  }").unwrap_err().to_string();
        assert!(err.starts_with("line 3, column 3"), "{err}");
    }
}
