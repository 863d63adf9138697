//! Gives parse and validation errors (which async-graphql raises before any resolver runs) the
//! same `extensions.code` every other error has.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};

use super::error::ErrorCode;

pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn with_code(mut e: ServerError, code: ErrorCode) -> ServerError {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    e
}

/// Gives an error that reached the response without a code the one it deserves.
fn code_uncoded(mut e: ServerError) -> ServerError {
    if e.extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some())
    {
        return e;
    }
    let input = [
        "Failed to parse",
        "Invalid value for argument",
        "Invalid value for variable",
    ];
    if input.iter().any(|p| e.message.starts_with(p)) {
        return with_code(e, ErrorCode::BadUserInput);
    }
    let id = super::error::error_id();
    tracing::error!(error_id = %id, error = %e.message, path = ?e.path, "internal error");
    e.message = format!("internal error (id {id})");
    let ext = e.extensions.get_or_insert_with(Default::default);
    ext.set("code", ErrorCode::InternalServerError.as_str());
    ext.set("errorId", id.as_str());
    e
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, ErrorCode::GraphqlParseFailed))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errs| {
            errs.into_iter()
                .map(|e| with_code(e, ErrorCode::GraphqlValidationFailed))
                .collect()
        })
    }

    /// Resolvers attach their own codes. What is left without one is either async-graphql's
    /// coercion of the client's input ("Failed to parse \"Int\"", "Invalid value for
    /// argument"), which is bad input, or something unexpected (a missing context value, a
    /// library's error passed on with `?`): that is internal, logged under an id, and its text
    /// never sent.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut resp = next.run(ctx, operation_name).await;
        resp.errors = std::mem::take(&mut resp.errors)
            .into_iter()
            .map(code_uncoded)
            .collect();
        resp
    }
}

/// Refuses an operation whose size after fragment expansion (fields, spreads and inline
/// fragments) passes a cap, before anything else walks it. Fragments that each spread the next one twice double the work per level: a 1 KB
/// query of 24 such levels held the server for 30 s, and validation and execution both expand
/// spreads. Counting here is linear in the document (each fragment is counted once and its
/// count reused), so even that query is refused at once.
pub struct QuerySize {
    pub max_fields: usize,
}

impl ExtensionFactory for QuerySize {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QuerySizeExtension {
            max_fields: self.max_fields,
        })
    }
}

struct QuerySizeExtension {
    max_fields: usize,
}

/// Fragments spreading fragments this deep are refused: the counting (and async-graphql's own
/// validation) follow such chains by recursion.
const MAX_FRAGMENT_NESTING: usize = 32;

#[async_graphql::async_trait::async_trait]
impl Extension for QuerySizeExtension {
    /// Before async-graphql's own checks: its recursion-depth check already follows every
    /// spread without remembering fragments, so a bomb within the depth limit costs it 2^depth
    /// steps. The document parsed here is kept on the request and not parsed again.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let doc = request
            .parsed_query()
            .map_err(|e| with_code(e, ErrorCode::GraphqlParseFailed))?;
        let mut counter = SelectionCounter {
            doc,
            counted: Default::default(),
        };
        let mut total = 0usize;
        for (_, op) in doc.operations.iter() {
            let n = counter
                .selection_set(&op.node.selection_set.node, 0)
                .map_err(|e| with_code(e, ErrorCode::GraphqlValidationFailed))?;
            total = total.saturating_add(n);
        }
        if total > self.max_fields {
            return Err(with_code(
                ServerError::new(
                    format!(
                        "the query selects {total} fields and fragments once its fragments are expanded; the limit is {}",
                        self.max_fields
                    ),
                    None,
                ),
                ErrorCode::GraphqlValidationFailed,
            ));
        }
        next.run(ctx, request).await
    }
}

struct SelectionCounter<'a> {
    doc: &'a ExecutableDocument,
    /// Fields of each fragment, expanded; `None` while it is being counted (a cycle, which
    /// validation reports; here it counts as nothing).
    counted: std::collections::HashMap<&'a str, Option<usize>>,
}

impl<'a> SelectionCounter<'a> {
    fn selection_set(
        &mut self,
        set: &'a async_graphql::parser::types::SelectionSet,
        nesting: usize,
    ) -> ServerResult<usize> {
        use async_graphql::parser::types::Selection;
        let mut n = 0usize;
        for item in &set.items {
            let add =
                match &item.node {
                    Selection::Field(f) => 1usize
                        .saturating_add(self.selection_set(&f.node.selection_set.node, nesting)?),
                    Selection::InlineFragment(f) => 1usize
                        .saturating_add(self.selection_set(&f.node.selection_set.node, nesting)?),
                    // A spread counts itself too: one of an unknown fragment costs the checks that
                    // follow spreads a step, and a bomb can be built of those alone.
                    Selection::FragmentSpread(spread) => 1usize.saturating_add(
                        self.fragment(spread.node.fragment_name.node.as_str(), nesting + 1)?,
                    ),
                };
            n = n.saturating_add(add);
        }
        Ok(n)
    }

    fn fragment(&mut self, name: &'a str, nesting: usize) -> ServerResult<usize> {
        if nesting > MAX_FRAGMENT_NESTING {
            return Err(ServerError::new(
                format!("fragments spread fragments more than {MAX_FRAGMENT_NESTING} deep"),
                None,
            ));
        }
        match self.counted.get(name) {
            Some(Some(n)) => return Ok(*n),
            Some(None) => return Ok(0),
            None => {}
        }
        // An unknown fragment is validation's to report.
        let Some((key, def)) = self.doc.fragments.get_key_value(name) else {
            return Ok(0);
        };
        self.counted.insert(key.as_str(), None);
        let n = self.selection_set(&def.node.selection_set.node, nesting)?;
        self.counted.insert(key.as_str(), Some(n));
        Ok(n)
    }
}
