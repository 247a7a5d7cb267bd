//! The `wmaudit` binary: everything lives in the library.

// glibc's allocator spent a third of a 10,000-user scan consolidating and
// freeing small blocks; mimalloc does the same work in a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wmaudit::cli::main()
}
