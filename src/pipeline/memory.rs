//! Gives memory the allocator holds after frees back to the system, now
//! and then, so a long run's resident size stays that of a short one.
//!
//! glibc's malloc keeps freed chunks in its per-thread arenas, and a scan
//! frees on one thread what another allocated (chunk results, record
//! batches), so free space fragments: on 10 GiB of gateway lines the peak
//! live heap was 6 % above the 1 GiB run's (heaptrack) but the peak RSS 16 %
//! above it. `malloc_trim` hands whole free pages back (and, with it, the
//! 10 GiB run peaks at 1.10x the 1 GiB run). Elsewhere (other allocators,
//! other systems) this does nothing.

/// Calls `malloc_trim(0)` where glibc provides it.
pub(super) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only walks glibc's own arenas under their locks;
    // it touches no memory Rust owns and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
