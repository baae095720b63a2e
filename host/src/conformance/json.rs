//! A minimal JSON writer for the conformance report (no serde needed for
//! one flat report).

use std::fmt::Write;

pub enum Json {
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
    Null,
}

impl Json {
    pub fn render(&self, out: &mut String) {
        match self {
            Json::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                let _ = write!(out, "{}", *n as i64);
            }
            Json::Num(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c if (c as u32) < 0x20 => {
                            let _ = write!(out, "\\u{:04x}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.render(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Json::Str(k.to_string()).render(out);
                    out.push(':');
                    v.render(out);
                }
                out.push('}');
            }
            Json::Null => out.push_str("null"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn escapes_and_nests() {
        let mut out = String::new();
        Json::Obj(vec![
            ("a", Json::Str("q\"\\\n\u{1}".into())),
            (
                "b",
                Json::Arr(vec![Json::Num(3.0), Json::Num(0.5), Json::Null]),
            ),
        ])
        .render(&mut out);
        assert_eq!(out, r#"{"a":"q\"\\\n\u0001","b":[3,0.5,null]}"#);
    }
}
