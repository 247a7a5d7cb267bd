//! Arbitrary text through the policy parser and, when it parses, the compiler.
//! Any panic, overflow or hang here is a bug: documents come from accounts
//! under audit, which wmaudit must not trust.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wmaudit::catalog::Catalog;
use wmaudit::policy::{Compiler, PolicyDocument};

fuzz_target!(|data: &[u8]| {
    // Documents reach the parser as text; non-UTF-8 bytes cannot.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = PolicyDocument::parse(text) else {
        return;
    };
    let statements = document.statements.len();
    let catalog = Catalog::builtin();
    // A fresh compiler per input, so each run is independent of the last.
    let mut compiler = Compiler::new(catalog);
    if let Ok(compiled) = compiler.compile(document) {
        // Invariants a caller relies on.
        assert_eq!(compiled.statements.len(), statements);
        for (i, st) in compiled.statements.iter().enumerate() {
            assert_eq!(st.index, i);
            assert_eq!(st.actions.len(), catalog.len());
            assert!(st.actions.ones().all(|a| a < catalog.len()));
        }
        for p in &compiled.problems {
            assert!(p.statement < statements);
        }
    }
});
