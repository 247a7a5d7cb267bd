//! The `wmaudit` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    wmaudit::cli::main()
}
