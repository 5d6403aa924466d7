//! Redaction paths compiled into a static tree at compile time.
//!
//! `"req.card.number"` becomes `input → req → card → number (redact)`;
//! `"return.token"` becomes `response → token (redact)` and `"return"` alone
//! `response (redact)`; a `seal("...")` path marks its last node `seal`
//! instead (a node both redacted and sealed by overlapping paths is
//! redacted). A `*` segment matches any one member or item; its
//! subtree is merged into every named sibling here, so at run time the first
//! matching node is the only one that applies.

use proc_macro2::TokenStream;
use quote::quote;

#[derive(Default, Clone)]
pub(crate) struct Trie {
    children: Vec<(String, Node)>,
}

#[derive(Default, Clone)]
struct Node {
    redact: bool,
    seal: bool,
    children: Trie,
}

impl Trie {
    /// Inserts `root.segments...`, redacting (or sealing) the last node.
    pub(crate) fn insert(&mut self, root: &str, segments: &[&str], seal: bool) {
        let mut node = self.child(root);
        for s in segments {
            node = node.children.child(s);
        }
        if seal {
            node.seal = true;
        } else {
            node.redact = true;
        }
    }

    fn child(&mut self, key: &str) -> &mut Node {
        if let Some(i) = self.children.iter().position(|(k, _)| k == key) {
            return &mut self.children[i].1;
        }
        self.children.push((key.to_string(), Node::default()));
        &mut self.children.last_mut().expect("just pushed").1
    }

    /// Merges `*` into its siblings, recursively.
    fn normalised(&self) -> Trie {
        let mut out = self.clone();
        let wild = out
            .children
            .iter()
            .find(|(k, _)| k == "*")
            .map(|(_, n)| n.clone());
        if let Some(w) = wild {
            for (k, n) in out.children.iter_mut() {
                if k != "*" {
                    n.merge(&w);
                }
            }
        }
        for (_, n) in out.children.iter_mut() {
            n.children = n.children.normalised();
        }
        out
    }

    /// The tree as `&[MaskNode]` tokens.
    pub(crate) fn to_tokens(&self) -> TokenStream {
        let n = self.normalised();
        n.tokens()
    }

    fn tokens(&self) -> TokenStream {
        let nodes = self.children.iter().map(|(k, n)| {
            let redact = n.redact;
            let seal = n.seal && !n.redact;
            let children = n.children.tokens();
            quote!(::seclog::__private::MaskNode { key: #k, redact: #redact, seal: #seal, children: #children })
        });
        quote!(&[#(#nodes),*])
    }
}

impl Node {
    fn merge(&mut self, other: &Node) {
        self.redact |= other.redact;
        self.seal |= other.seal;
        for (k, n) in &other.children.children {
            self.children.child(k).merge(n);
        }
    }
}
