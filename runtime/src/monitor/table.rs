//! Bounded tables: a map from fingerprint to slot, slots in a recency list
//! (most recent first) so the least recently seen is evicted in O(1), and a
//! fixed number of u64 words of data per slot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The detector's counts: one table of users, one of addresses.
pub(super) struct State {
    pub(super) users: Table,
    pub(super) ips: Table,
}

const NIL: u32 = u32::MAX;

/// One entry: its place in the recency list, and what the detector keeps.
#[derive(Clone, Copy)]
pub(super) struct Node {
    key: u64,
    prev: u32,
    next: u32,
    pub(super) flagged_until: u64,
    /// Ring position and fill, and failures since the last success, for
    /// user entries.
    pub(super) pos: u32,
    pub(super) len: u32,
    pub(super) streak: u32,
}

/// At most `cap` entries of `width` words each.
pub(super) struct Table {
    map: HashMap<u64, u32, BuildHasherDefault<Fingerprint>>,
    nodes: Vec<Node>,
    data: Vec<u64>,
    width: usize,
    head: u32,
    tail: u32,
    cap: usize,
}

/// Keys are already keyed SipHash fingerprints: hashing them again would
/// only cost time.
#[derive(Default)]
struct Fingerprint(u64);

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Table {
    /// Entries held.
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    pub(super) fn new(cap: usize, width: usize) -> Table {
        Table {
            map: HashMap::default(),
            nodes: Vec::new(),
            data: Vec::new(),
            width: width.max(1),
            head: NIL,
            tail: NIL,
            cap: cap.clamp(1, NIL as usize - 1),
        }
    }

    pub(super) fn get(&self, key: u64) -> Option<&Node> {
        self.map.get(&key).and_then(|&i| self.nodes.get(i as usize))
    }

    pub(super) fn get_mut(&mut self, key: u64) -> Option<(&mut Node, &mut [u64])> {
        let i = *self.map.get(&key)? as usize;
        let node = self.nodes.get_mut(i)?;
        let data = self.data.get_mut(i * self.width..(i + 1) * self.width)?;
        Some((node, data))
    }

    /// The entry for `key`, created (evicting the least recently seen entry
    /// when full) if needed, and marked most recently seen.
    pub(super) fn touch(&mut self, key: u64) -> (&mut Node, &mut [u64]) {
        let slot = match self.map.get(&key) {
            Some(&i) => {
                self.unlink(i);
                i
            }
            None if self.nodes.len() < self.cap => {
                if self.nodes.len() == self.nodes.capacity() {
                    // Grow by doubling, but never past the cap: a full
                    // table holds exactly `cap` entries.
                    let more = self.nodes.len().max(64).min(self.cap - self.nodes.len());
                    self.nodes.reserve_exact(more);
                    self.data.reserve_exact(more * self.width);
                    self.map.reserve(more);
                }
                let i = self.nodes.len() as u32;
                self.nodes.push(Node {
                    key,
                    prev: NIL,
                    next: NIL,
                    flagged_until: 0,
                    pos: 0,
                    len: 0,
                    streak: 0,
                });
                self.data.resize(self.data.len() + self.width, 0);
                self.map.insert(key, i);
                i
            }
            None => {
                let i = self.tail;
                self.unlink(i);
                if let Some(old) = self.nodes.get(i as usize) {
                    self.map.remove(&old.key);
                }
                if let Some(n) = self.nodes.get_mut(i as usize) {
                    *n = Node {
                        key,
                        prev: NIL,
                        next: NIL,
                        flagged_until: 0,
                        pos: 0,
                        len: 0,
                        streak: 0,
                    };
                }
                let w = self.width;
                if let Some(d) = self.data.get_mut(i as usize * w..(i as usize + 1) * w) {
                    d.iter_mut().for_each(|x| *x = 0);
                }
                self.map.insert(key, i);
                i
            }
        };
        self.push_front(slot);
        let w = self.width;
        let i = slot as usize;
        // Both indices were just checked or created above.
        let node = &mut self.nodes[i];
        let data = &mut self.data[i * w..(i + 1) * w];
        (node, data)
    }

    fn unlink(&mut self, i: u32) {
        let Some(&Node { prev, next, .. }) = self.nodes.get(i as usize) else {
            return;
        };
        match self.nodes.get_mut(prev as usize) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match self.nodes.get_mut(next as usize) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
    }

    fn push_front(&mut self, i: u32) {
        let head = self.head;
        if let Some(n) = self.nodes.get_mut(i as usize) {
            n.prev = NIL;
            n.next = head;
        }
        match self.nodes.get_mut(head as usize) {
            Some(h) => h.prev = i,
            None => self.tail = i,
        }
        self.head = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_keeps_the_most_recently_seen() {
        let mut t = Table::new(2, 1);
        t.touch(1);
        t.touch(2);
        t.touch(1);
        t.touch(3);
        assert!(t.get(1).is_some() && t.get(3).is_some());
        assert!(t.get(2).is_none(), "2 was the least recently seen");
        assert_eq!(t.map.len(), 2);
    }

    #[test]
    fn a_table_of_one_replaces_its_entry() {
        let mut t = Table::new(1, 2);
        for k in 0..10 {
            let (_, d) = t.touch(k);
            d[0] = k;
        }
        assert_eq!(t.map.len(), 1);
        assert_eq!(t.get_mut(9).map(|(_, d)| d[0]), Some(9));
    }
}
