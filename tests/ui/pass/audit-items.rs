//! The function's own attributes, visibility, docs and qualifiers are kept.

#![deny(missing_docs)]

/// Handlers of the admin API.
pub mod admin {
    /// Resets a user's password; docs are kept on the audited function.
    #[seclog::audit(name = "password_reset", level = "warn")]
    #[inline]
    #[must_use]
    pub fn reset(user: &str) -> bool {
        !user.is_empty()
    }

    /// Reads a value through a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for reads.
    #[seclog::audit(skip(ptr))]
    pub unsafe fn read(ptr: *const u32) -> u32 {
        unsafe { *ptr }
    }

    /// Reads a value the edition 2021 way: the body of an `unsafe fn` is
    /// an unsafe block.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for reads.
    #[seclog::audit(skip(ptr))]
    #[allow(unsafe_op_in_unsafe_fn)]
    pub unsafe fn read_bare(ptr: *const u32) -> u32 {
        *ptr
    }

    #[seclog::audit]
    pub(crate) fn internal(n: u8) -> u8 {
        n
    }

    #[seclog::audit]
    pub(super) extern "C" fn ffi(n: u8) -> u8 {
        n
    }

    #[seclog::audit(category = "iam", auth = "login", who = user, emit = "end", budget = "250ms")]
    #[cfg_attr(test, allow(dead_code))]
    pub(crate) fn login(user: &str, password: &str) -> Result<(), String> {
        if password.is_empty() {
            return Err(format!("{user}: empty password"));
        }
        Ok(())
    }
}

fn main() {
    let run = seclog::testing::capture(run);
    let records = run.records();
    assert_eq!(records[0]["event"]["action"], "password_reset");
    let login = records.last().unwrap();
    assert_eq!(login["event"]["category"], serde_json::json!(["iam"]));
    assert_eq!(login["user"]["id"], "alice");
}

fn run() {
    assert!(admin::reset("alice"));
    let n = 5;
    assert_eq!(unsafe { admin::read(&n) }, 5);
    assert_eq!(unsafe { admin::read_bare(&n) }, 5);
    assert_eq!(admin::internal(1), 1);
    assert_eq!(admin::ffi(2), 2);
    assert!(admin::login("alice", "").is_err());
}
