//! A static file server on 127.0.0.1 for `appwacht demo`: serves a published directory with
//! entity tags and 304s, as any web server or CDN would. Not for production: any server will do.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running server; stops when dropped.
pub(crate) struct StaticServer {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    /// The base URL (`http://127.0.0.1:PORT`).
    pub url: String,
}

impl StaticServer {
    pub(crate) fn start(dir: &Path) -> Result<StaticServer, String> {
        let server = Arc::new(
            tiny_http::Server::http("127.0.0.1:0")
                .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?,
        );
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("no port")?;
        let dir = dir.to_path_buf();
        let worker = Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for request in worker.incoming_requests() {
                let _ = respond(&dir, request);
            }
        });
        Ok(StaticServer {
            server,
            thread: Some(thread),
            url: format!("http://127.0.0.1:{port}"),
        })
    }
}

fn respond(dir: &Path, request: tiny_http::Request) -> std::io::Result<()> {
    let path: PathBuf = request
        .url()
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty() && *p != "..")
        .collect();
    let Ok(body) = std::fs::read(dir.join(&path)) else {
        return request.respond(tiny_http::Response::empty(404));
    };
    let etag = format!("\"{}\"", &agent_core::sha256_hex(&body)[..16]);
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).ok();
    let matches = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag);
    if matches {
        let mut r = tiny_http::Response::empty(304);
        r.add_header(header("ETag", &etag).expect("valid header"));
        return request.respond(r);
    }
    let mut r = tiny_http::Response::from_data(body);
    r.add_header(header("ETag", &etag).expect("valid header"));
    r.add_header(header("Content-Type", "application/json").expect("valid header"));
    request.respond(r)
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
