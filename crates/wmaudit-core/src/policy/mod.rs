//! IAM policy documents: parsing, wildcard matching, and compilation into
//! action sets over the catalog.

mod compile;
mod decode;
mod document;
mod pattern;

pub use compile::{
    ActionProblem, CompiledPolicy, CompiledStatement, Compiler, ProblemKind, ResourceScope,
};
pub use decode::decode_document_text;
pub use document::{
    ActionSpec, Conditions, Effect, PolicyDocument, Principal, PrincipalSpec, ResourceSpec,
    Statement,
};
pub use pattern::{covers, has_wildcard, wildcard_match};

/// Why a policy document could not be read. Every variant says where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot decode the URL-encoded document at byte {offset}: {message}")]
    Decode { offset: usize, message: String },
    #[error("the document is not valid JSON (line {line}, column {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("at {pointer}: expected {expected}, found {found}")]
    Shape {
        pointer: String,
        expected: String,
        found: String,
    },
}

#[cfg(test)]
mod tests;
