//! JSON text output shared by the JSON and SARIF reports.
//!
//! [`Pretty`] prints exactly what `serde_json`'s `PrettyFormatter` prints
//! (2-space indent), but writes each newline and its indentation as one slice:
//! the stock formatter writes the indent one level at a time, which was a
//! tenth of a large scan's time (docs/benchmarks.md).

use std::io::{self, Write};

use serde::Serialize;

/// A newline followed by enough spaces for 64 levels; deeper levels loop.
const NEWLINE_AND_SPACES: &[u8; 129] = &{
    let mut b = [b' '; 129];
    b[0] = b'\n';
    b
};

#[derive(Debug, Default)]
pub(crate) struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
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
        self.depth -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
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
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` pretty-printed, then a newline.
pub(crate) fn write_pretty<W: Write, T: Serialize + ?Sized>(
    value: &T,
    mut out: W,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
    value.serialize(&mut ser)?;
    out.write_all(b"\n")
}

/// `value` pretty-printed with a trailing newline. Our wire types cannot fail
/// to serialize (string keys only, no floats), but a renderer must not panic,
/// so a failure becomes a JSON error object instead.
pub(crate) fn to_pretty_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut buf = Vec::new();
    match write_pretty(value, &mut buf) {
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
        for i in 0..70 {
            deep = serde_json::json!({ "k": [deep, i, {}, [], {"x": null}] });
        }
        let values = [
            serde_json::json!(null),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!({"a": [1, 2, {"b": []}], "c": {"d": "e\n\"f"}}),
            deep,
        ];
        for v in values {
            let want = serde_json::to_string_pretty(&v).unwrap() + "\n";
            assert_eq!(to_pretty_string(&v), want);
        }
    }
}
