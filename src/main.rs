//! The `wmaudit` binary: the command line over the library crates
//! (`wmaudit-core` evaluates, `wmaudit-aws` collects). `anyhow` lives here
//! and nowhere else.

mod args;
mod cli;
mod exit;
mod explain;
mod explain_mailbox;
mod input;
mod output;

// glibc's allocator spent a third of a 10,000-user scan consolidating and
// freeing small blocks; mimalloc does the same work in a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
