//! JSON text output shared by the JSON and SARIF reports.
//!
//! [`Pretty`] prints what `serde_json`'s `PrettyFormatter` prints (2-space
//! indent) down to a given depth, and everything deeper on one line, compact.
//! The reports put that depth at their list items, so each finding (each
//! SARIF result) is one line: `grep` finds a principal's findings whole, a
//! diff shows one line per changed finding, and a 10,000-user report is a
//! third smaller than fully indented (docs/benchmarks.md). Each newline and
//! its indentation is written as one slice; the stock formatter writes the
//! indent one level at a time, which was a tenth of a large scan's time.

use std::io::{self, Write};

use serde::Serialize;

/// A newline followed by enough spaces for 64 levels; deeper levels loop.
const NEWLINE_AND_SPACES: &[u8; 129] = &{
    let mut b = [b' '; 129];
    b[0] = b'\n';
    b
};

#[derive(Debug)]
pub(crate) struct Pretty {
    depth: usize,
    has_value: bool,
    /// Containers nested deeper than this are written compact.
    max_depth: usize,
}

impl Pretty {
    /// Indented down to containers at `max_depth` (the top-level value is at
    /// depth 1); `usize::MAX` indents everything.
    pub fn new(max_depth: usize) -> Self {
        Pretty {
            depth: 0,
            has_value: false,
            max_depth,
        }
    }

    fn indenting(&self) -> bool {
        self.depth <= self.max_depth
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        let mut spaces = self.depth * 2;
        let first = spaces.min(NEWLINE_AND_SPACES.len() - 1);
        w.write_all(&NEWLINE_AND_SPACES[..1 + first])?;
        spaces -= first;
        while spaces > 0 {
            let n = spaces.min(NEWLINE_AND_SPACES.len() - 1);
            w.write_all(&NEWLINE_AND_SPACES[1..1 + n])?;
            spaces -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        let indenting = self.indenting();
        self.depth -= 1;
        if self.has_value && indenting {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.indenting() {
            self.newline(w)?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.indenting() { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` indented down to `max_depth` (see [`Pretty::new`]), then a
/// newline.
pub(crate) fn write_pretty<W: Write, T: Serialize + ?Sized>(
    value: &T,
    max_depth: usize,
    mut out: W,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::new(max_depth));
    value.serialize(&mut ser)?;
    out.write_all(b"\n")
}

/// `value` as [`write_pretty`] writes it. Our wire types cannot fail
/// to serialize (string keys only, no floats), but a renderer must not panic,
/// so a failure becomes a JSON error object instead.
pub(crate) fn to_pretty_string<T: Serialize + ?Sized>(value: &T, max_depth: usize) -> String {
    let mut buf = Vec::new();
    match write_pretty(value, max_depth, &mut buf) {
        // serde_json writes only valid UTF-8.
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        Err(e) => format!(
            "{}\n",
            serde_json::json!({ "error": format!("cannot serialize report: {e}") })
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte-identical to serde_json's own pretty printer, deep nesting included.
    #[test]
    fn same_bytes_as_serde_json_pretty() {
        let mut deep = serde_json::json!("leaf");
        // 120 levels: past the 64 one slice indents, within serde_json's parse limit.
        for i in 0..60 {
            deep = serde_json::json!({ "k": [deep, i, {}, [], {"x": null}] });
        }
        let values = [
            serde_json::json!(null),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!({"a": [1, 2, {"b": []}], "c": {"d": "e\n\"f"}}),
            deep,
        ];
        for v in values.iter() {
            let want = serde_json::to_string_pretty(v).unwrap() + "\n";
            assert_eq!(to_pretty_string(v, usize::MAX), want);
        }
        // Limited depth: the same value, with deeper containers on one line.
        for max_depth in [0, 1, 2, 3, 10] {
            for v in values.iter() {
                let text = to_pretty_string(v, max_depth);
                let back: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(&back, v);
                assert!(text.ends_with('\n'));
            }
        }
    }

    #[test]
    fn items_at_the_depth_are_one_line_each() {
        // Keys in sorted order: the same with or without serde_json's
        // preserve_order (which a dependency of wmaudit-aws turns on).
        let v = serde_json::json!({
            "a_schema": "x",
            "b_findings": [{"a": [1, 2], "b": {"c": null}}, {}],
            "c_empty": [],
        });
        assert_eq!(
            to_pretty_string(&v, 2),
            "{\n  \"a_schema\": \"x\",\n  \"b_findings\": [\n    {\"a\":[1,2],\"b\":{\"c\":null}},\n    {}\n  ],\n  \"c_empty\": []\n}\n"
        );
        assert_eq!(to_pretty_string(&v, 0), format!("{v}\n"));
    }
}
