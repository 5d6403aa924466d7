//! Aligned columns that fit a terminal.

use crate::text::{fit, terminal, width_of};
use std::io::{self, Write};

/// A table of text cells; every cell is escaped for the terminal when
/// added.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    right: Vec<bool>,
}

impl Table {
    /// A table with these column headers; a header starting with `>` is
    /// aligned right (the `>` is not shown).
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers
                .iter()
                .map(|h| h.trim_start_matches('>').to_string())
                .collect(),
            rows: Vec::new(),
            right: headers.iter().map(|h| h.starts_with('>')).collect(),
        }
    }

    /// Adds a row (cells beyond the headers are dropped, missing ones are
    /// empty).
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        let mut row: Vec<String> = cells
            .iter()
            .take(self.headers.len())
            .map(|c| terminal(c.as_ref()).into_owned())
            .collect();
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the table within `width` columns (the widest columns are cut
    /// first, with `…`), or at its natural width when `width` is `None`.
    pub fn write(&self, out: &mut dyn Write, width: Option<usize>) -> io::Result<()> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width_of(h)).collect();
        for row in &self.rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(width_of(c));
            }
        }
        if let Some(max) = width {
            let gaps = 2 * n.saturating_sub(1);
            let floor = 6;
            while widths.iter().sum::<usize>() + gaps > max {
                let (i, &w) = match widths.iter().enumerate().max_by_key(|(_, &w)| w) {
                    Some(x) => x,
                    None => break,
                };
                if w <= floor {
                    break;
                }
                widths[i] = w - 1;
            }
        }
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, (c, &w)) in cells.iter().zip(&widths).enumerate() {
                let c = fit(c, w);
                let pad = w.saturating_sub(width_of(&c));
                let last = i + 1 == n;
                if self.right[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(&c);
                } else {
                    s.push_str(&c);
                    if !last {
                        s.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    s.push_str("  ");
                }
            }
            s.trim_end().to_string()
        };
        writeln!(out, "{}", line(&self.headers))?;
        for row in &self.rows {
            writeln!(out, "{}", line(row))?;
        }
        Ok(())
    }
}

/// The width to fit: the terminal's when standard output is one, else
/// `COLUMNS` when set, else none (full cells, for files and pipes).
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if io::stdout().is_terminal() {
        if let Some((w, _)) = terminal_size::terminal_size() {
            return Some(usize::from(w.0));
        }
    }
    std::env::var("COLUMNS")
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&w| w > 0)
}
