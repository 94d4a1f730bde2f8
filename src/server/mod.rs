//! `redis-lint server`: a language server over standard input and output
//! (LSP 3.17), for editors.
//!
//! Each open document is linted as the CLI lints `--stdin-filename`: the
//! editor's text stands for the file on disk, and the other files of its
//! crate are read as context (crate-wide rules need them: the key builder
//! in another file, the `XACK` elsewhere); only the document is reported
//! on. Configuration comes from the same files as for the CLI, found from
//! the document's path, and the facts cache (`--cache`) keeps the context
//! files from being parsed again on every keystroke.
//!
//! The server is synchronous: it reads every message already waiting
//! before it lints, so a burst of edits costs one lint per document, and
//! it answers a request only after the documents it may ask about are
//! linted (code actions and hovers read the findings of the text the
//! editor shows).

mod actions;
mod convert;
mod lint;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeResult, MessageType, PositionEncodingKind, PublishDiagnosticsParams, SaveOptions,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};

use crate::engine::ConfigSource;
use lint::{Document, Settings};

/// How the server lints, from its command line.
pub struct ServerOptions {
    /// `--config`: this configuration file for every document.
    pub config: Option<PathBuf>,
    /// `--isolated`: no configuration file.
    pub isolated: bool,
    /// Folder of the facts cache, when caching.
    pub cache: Option<PathBuf>,
}

impl ServerOptions {
    fn config_source(&self) -> ConfigSource {
        match (&self.config, self.isolated) {
            (Some(path), _) => ConfigSource::File(path.clone()),
            (None, true) => ConfigSource::Isolated,
            (None, false) => ConfigSource::Discovered,
        }
    }
}

/// Why the server stopped other than by the client's `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("standard input or output failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the connection to the editor closed")]
    Disconnected,
    #[error("the editor sent `exit` before `shutdown`")]
    ExitWithoutShutdown,
}

/// Serves one editor on standard input and output until it says `exit`.
pub fn run(options: ServerOptions) -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    let served = serve(&connection, options);
    // The writer thread ends when the connection's sender is gone.
    drop(connection);
    io_threads.join()?;
    served
}

fn serve(connection: &Connection, options: ServerOptions) -> Result<(), ServerError> {
    let (id, _params) = connection.initialize_start()?;
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "redis-lint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).expect("the initialize result serialises");
    connection.initialize_finish(id, result)?;
    let mut server = Server {
        connection,
        settings: Settings {
            config: options.config_source(),
            cache: options.cache,
        },
        documents: HashMap::new(),
        stale: BTreeSet::new(),
    };
    server.main_loop()
}

/// What the server offers: full text on every change (documents are
/// small, and the engine lints whole texts anyway), quick fixes, hovers.
/// Positions are UTF-16 code units, the encoding every client supports.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Whether the main loop goes on.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

struct Server<'a> {
    connection: &'a Connection,
    settings: Settings,
    documents: HashMap<Url, Document>,
    /// Open documents whose findings are out of date.
    stale: BTreeSet<Url>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), ServerError> {
        loop {
            let first = self
                .connection
                .receiver
                .recv()
                .map_err(|_| ServerError::Disconnected)?;
            if self.handle(first)? == Flow::Stop {
                return Ok(());
            }
            // Everything already sent, before linting: one lint per burst.
            while let Ok(next) = self.connection.receiver.try_recv() {
                if self.handle(next)? == Flow::Stop {
                    return Ok(());
                }
            }
            self.lint_stale()?;
        }
    }

    fn handle(&mut self, message: Message) -> Result<Flow, ServerError> {
        match message {
            Message::Request(request) => {
                if self.connection.handle_shutdown(&request)? {
                    return Ok(Flow::Stop);
                }
                self.lint_stale()?;
                let response = self.answer(request);
                self.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                if notification.method == lsp_types::notification::Exit::METHOD {
                    return Err(ServerError::ExitWithoutShutdown);
                }
                self.notified(notification)?;
            }
            // The server sends no requests, so expects no responses.
            Message::Response(_) => {}
        }
        Ok(Flow::Continue)
    }

    fn answer(&self, request: Request) -> Response {
        let id = request.id.clone();
        let answered = match request.method.as_str() {
            CodeActionRequest::METHOD => parse::<lsp_types::CodeActionParams>(request)
                .map(|params| to_value(self.code_actions(&params))),
            HoverRequest::METHOD => {
                parse::<lsp_types::HoverParams>(request).map(|params| to_value(self.hover(&params)))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("redis-lint does not handle `{other}`"),
            )),
        };
        match answered {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn code_actions(&self, params: &lsp_types::CodeActionParams) -> Vec<lsp_types::CodeAction> {
        let uri = &params.text_document.uri;
        match self.documents.get(uri) {
            Some(document) => actions::code_actions(document, uri, params.range),
            None => Vec::new(),
        }
    }

    fn hover(&self, params: &lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let at = &params.text_document_position_params;
        let document = self.documents.get(&at.text_document.uri)?;
        actions::hover(document, at.position)
    }

    fn notified(&mut self, notification: Notification) -> Result<(), ServerError> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let doc = params.text_document;
                    let opened = Document::open(&doc.uri, doc.text, doc.version);
                    self.documents.insert(doc.uri.clone(), opened);
                    self.stale.insert(doc.uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let uri = params.text_document.uri;
                    // Full synchronisation: the last change is the whole text.
                    let text = params.content_changes.into_iter().last().map(|c| c.text);
                    if let (Some(document), Some(text)) = (self.documents.get_mut(&uri), text) {
                        document.change(text, params.text_document.version);
                        self.stale.insert(uri);
                    }
                }
            }
            // A saved file is context for the other open files of its
            // crate (a key builder, an acknowledgement): lint them again.
            DidSaveTextDocument::METHOD => self.stale.extend(self.documents.keys().cloned()),
            DidCloseTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let uri = params.text_document.uri;
                    self.documents.remove(&uri);
                    self.stale.remove(&uri);
                    self.publish(uri, Vec::new(), None)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Lints the stale documents and publishes their diagnostics.
    fn lint_stale(&mut self) -> Result<(), ServerError> {
        for uri in std::mem::take(&mut self.stale) {
            let Some(document) = self.documents.get_mut(&uri) else {
                continue;
            };
            if let Err(error) = document.lint(&self.settings) {
                // An invalid configuration file: say so once per lint, and
                // keep the last findings rather than none.
                let params = ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("redis-lint: {error}"),
                };
                self.send(Notification::new(ShowMessage::METHOD.to_string(), params).into())?;
                continue;
            }
            let (diagnostics, version) = (document.diagnostics(), document.version);
            self.publish(uri, diagnostics, Some(version))?;
        }
        Ok(())
    }

    fn publish(
        &self,
        uri: Url,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), ServerError> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into())
    }

    fn send(&self, message: Message) -> Result<(), ServerError> {
        self.connection
            .sender
            .send(message)
            .map_err(|_| ServerError::Disconnected)
    }
}

/// A request's parameters, or the error to answer with.
fn parse<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn to_value(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("LSP types serialise")
}
