//! Record and transaction ids: 128 bits as 32 hex digits, unique within the
//! process by a counter and across processes by a random 128-bit seed.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// An id as hex text, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Id([u8; 32]);

impl Id {
    /// The id as a JSON string: its 32 hex digits between quotes.
    pub(crate) fn quoted(&self) -> [u8; 34] {
        let mut q = [b'"'; 34];
        q[1..33].copy_from_slice(&self.0);
        q
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn seed() -> (u64, u64) {
    static SEED: OnceLock<(u64, u64)> = OnceLock::new();
    *SEED.get_or_init(|| {
        let mut b = [0u8; 16];
        if getrandom::fill(&mut b).is_err() {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            b[..8].copy_from_slice(&h.finish().to_le_bytes());
            h.write_u8(1);
            b[8..].copy_from_slice(&h.finish().to_le_bytes());
        }
        let (hi, lo) = b.split_at(8);
        (
            u64::from_le_bytes(hi.try_into().unwrap_or_default()),
            u64::from_le_bytes(lo.try_into().unwrap_or_default()),
        )
    })
}

/// A bijection on u64 (splitmix64's finaliser), so ids look random but two
/// counter values never collide.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

/// How many numbers a thread takes from [`COUNTER`] at a time.
const BLOCK: u64 = 1 << 20;

thread_local! {
    /// The thread's next number and the end of its block.
    static NEXT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// A number no other call in the process gets: from the thread's block,
/// taking a new block from [`COUNTER`] when it runs out (blocks never
/// overlap), so most ids cost no atomic operation.
fn next_number() -> u64 {
    let local = NEXT.try_with(|next| {
        let (n, end) = next.get();
        if n < end {
            next.set((n + 1, end));
            return n;
        }
        let start = COUNTER.fetch_add(BLOCK, Ordering::Relaxed);
        next.set((start + 1, start + BLOCK));
        start
    });
    // Without the thread's storage (while it is torn down), a block of
    // its own for this one number.
    local.unwrap_or_else(|_| COUNTER.fetch_add(BLOCK, Ordering::Relaxed))
}

pub(crate) fn new_id() -> Id {
    let (hi, lo) = seed();
    let n = next_number();
    let lo = mix(lo.wrapping_add(n));
    let mut out = [0u8; 32];
    hex(hi, &mut out[..16]);
    hex(lo, &mut out[16..]);
    Id(out)
}

/// `v` as 16 lower-case hex digits, most significant first, computed eight
/// digits at a time (a word per half) rather than a digit at a time.
fn hex(v: u64, out: &mut [u8]) {
    for (half, digits) in [(v >> 32) as u32, v as u32]
        .into_iter()
        .zip(out.chunks_exact_mut(8))
    {
        // One nibble per byte, the most significant nibble in the first byte.
        let mut x = u64::from(half);
        x = (x | x << 16) & 0x0000_ffff_0000_ffff;
        x = (x | x << 8) & 0x00ff_00ff_00ff_00ff;
        x = (x | x << 4) & 0x0f0f_0f0f_0f0f_0f0f;
        let x = x.swap_bytes();
        // '0' + n, and 39 more ('a' - '0' - 10) where n is 10 or more.
        let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
        digits.copy_from_slice(&(x + 0x3030_3030_3030_3030 + letters * 39).to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_digits_read_as_format_writes_them() {
        for v in [
            0,
            1,
            9,
            10,
            15,
            16,
            0xdead_beef,
            u64::MAX,
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
        ] {
            let mut out = [0u8; 16];
            super::hex(v, &mut out);
            assert_eq!(std::str::from_utf8(&out).unwrap(), format!("{v:016x}"));
        }
    }

    #[test]
    fn ids_are_unique_hex() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = super::new_id();
            assert_eq!(id.as_str().len(), 32);
            assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(seen.insert(id.as_str().to_string()));
        }
    }

    #[test]
    fn threads_draw_from_blocks_that_never_overlap() {
        // More ids per thread than a block holds, on several threads.
        let per_thread = super::BLOCK as usize + 1000;
        let numbers: Vec<Vec<u64>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|_| s.spawn(|| (0..per_thread).map(|_| super::next_number()).collect()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut all: Vec<u64> = numbers.into_iter().flatten().collect();
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), total, "every number is drawn once");
    }
}
