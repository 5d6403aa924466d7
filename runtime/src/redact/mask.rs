//! Redaction paths compiled by `#[audit(redact(...))]`: the children of
//! the current position in a value, looked up by member name or index.

/// A compiled redaction path set, built by `#[audit(redact(...))]` at
/// compile time: the children of the current position in the value.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Mask(pub &'static [MaskNode]);

/// One segment of a compiled redaction path.
#[doc(hidden)]
#[derive(Debug)]
pub struct MaskNode {
    /// A member name, an array index, or `*` for any one.
    pub key: &'static str,
    /// Redact the value here entirely.
    pub redact: bool,
    /// Deeper segments (the macro has already merged `*`'s into each
    /// sibling, so the first match is the only one that applies).
    pub children: &'static [MaskNode],
}

impl Mask {
    pub(crate) const NONE: Mask = Mask(&[]);

    #[inline]
    pub(super) fn child(self, key: &str) -> Option<&'static MaskNode> {
        if self.0.is_empty() {
            return None;
        }
        self.0
            .iter()
            .find(|n| n.key == key)
            .or_else(|| self.0.iter().find(|n| n.key == "*"))
    }

    /// The mask below member `key` (empty when nothing below is redacted).
    pub(crate) fn child_mask(self, key: &str) -> Mask {
        self.child(key).map_or(Mask::NONE, |n| Mask(n.children))
    }

    #[inline]
    pub(super) fn child_index(self, index: usize) -> Option<&'static MaskNode> {
        if self.0.is_empty() {
            return None;
        }
        let mut digits = itoa::Buffer::new();
        self.child(digits.format(index))
    }
}
