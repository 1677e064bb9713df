//! A small tokio TCP service that shuts down the way supervisors expect:
//! on SIGTERM (or Ctrl-C, SIGHUP) it stops accepting, finishes the
//! requests in flight, and returns from `main`; then its cleanups run — the
//! log is flushed, the pid file and the temp workspace are removed — and
//! it exits with status 0.
//!
//! ```text
//! cargo run --example server [LOG]         # prints "listening on 127.0.0.1:PORT"
//! curl http://127.0.0.1:PORT/hello         # in another terminal
//! kill -TERM <pid>                         # or Ctrl-C: drains, cleans up, exits 0
//! ```
//!
//! It speaks just enough HTTP/1.1 for `curl`: one request per connection,
//! answered with a numbered list of lines; `GET /readyz` is the readiness
//! check, `200 ready` until shutdown is pending, then `503`. `LOG` (default: `cleanup-server.log`
//! in the system's temp dir) gets one line per request through a
//! `BufWriter` that only its cleanup flushes.
//!
//! The pattern is the `select!` in `main`: `shutdown::requested()` is
//! created before the loop (from then on a signal wakes it and starts the
//! grace period instead of the cleanups), and the loop ends when it
//! completes. Were the drain to take longer than the grace period (10 s;
//! `CLEANUP_GRACE=20s` to change it), the cleanups would run anyway and
//! the process would end by the signal.
//!
//! Behind a load balancer (a Kubernetes Service), run it with a shutdown
//! delay, `CLEANUP_SHUTDOWN_DELAY=5s`: the SIGTERM then fails `/readyz` at
//! once while the server goes on accepting and serving for 5 s, long
//! enough for the endpoint removal to reach every load balancer; only then
//! is the future woken and the drain begins. The README's Services section
//! has the pod spec and the systemd unit that fit it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use cleanup_runtime::pidfile::PidFile;
use cleanup_runtime::{Kept, drop_at_exit, shutdown, temp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// The request log, shared by the connections; flushed at exit.
type Log = Arc<Kept<BufWriter<File>>>;

/// Lines in every response: enough that writing it takes several writes.
const RESPONSE_LINES: usize = 2_000;

#[tokio::main]
async fn main() -> io::Result<()> {
    let log_path = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("cleanup-server.log"),
        PathBuf::from,
    );

    // Registered first, so it runs last: says what the others did.
    cleanup_runtime::register(|| println!("cleaned up"));
    let workspace = temp::dir()?; // removed at exit
    let pid_file = PidFile::create(workspace.join("server.pid")).map_err(io::Error::other)?;
    let _pid_file = drop_at_exit(pid_file); // removed at exit, before the workspace
    let log: Log = Arc::new(drop_at_exit(BufWriter::new(File::create(&log_path)?)));
    println!("workspace {}", workspace.path().display());

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    // Listening for shutdown from here on: a signal now wakes this future
    // instead of running the cleanups under the connections' feet.
    let mut shutdown = shutdown::requested();
    println!("listening on {}", listener.local_addr()?);

    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                connections.spawn(serve(stream, Arc::clone(&log)));
            }
            Some(served) = connections.join_next() => report(served),
        }
    }
    drop(listener); // stop accepting: new connections are refused from now on
    println!("draining {} connection(s)", connections.len());
    while let Some(served) = connections.join_next().await {
        report(served);
    }
    // `None`: a signal's cleanups already flushed and dropped the log.
    log.with(|out| writeln!(out, "stopped")).transpose()?;
    println!("stopped");
    Ok(()) // the cleanups run now, after the drain, and the status is 0
}

/// Says why a connection ended early, if it did.
fn report(served: Result<io::Result<()>, tokio::task::JoinError>) {
    match served {
        Ok(Ok(())) => {}
        Ok(Err(error)) => eprintln!("server: a connection failed: {error}"),
        Err(error) => eprintln!("server: a connection's task failed: {error}"),
    }
}

/// The readiness check: ready until a stop signal arrives. It fails from
/// the signal on (`shutdown::is_pending`), through the shutdown delay in
/// which requests are still served, so the load balancer stops sending
/// new ones before the server stops accepting them.
fn readiness() -> (&'static str, String) {
    if shutdown::is_pending() {
        println!("readyz: not ready");
        ("503 Service Unavailable", "shutting down\n".to_owned())
    } else {
        println!("readyz: ready");
        ("200 OK", "ready\n".to_owned())
    }
}

/// Serves one HTTP/1.1 request on `stream`, then closes it.
async fn serve(stream: TcpStream, log: Log) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    let Some(request_line) = lines.next_line().await? else {
        return Ok(()); // connected and left
    };
    println!("request started: {request_line}");
    // The headers, up to the empty line that ends them.
    while let Some(header) = lines.next_line().await? {
        if header.is_empty() {
            break;
        }
    }
    let (status, body) = if request_line.split(' ').nth(1) == Some("/readyz") {
        readiness()
    } else {
        let body = (1..=RESPONSE_LINES)
            .map(|n| format!("line {n} of {RESPONSE_LINES} for {request_line}\n"))
            .collect();
        ("200 OK", body)
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    writer.write_all(head.as_bytes()).await?;
    for chunk in body.as_bytes().chunks(4096) {
        writer.write_all(chunk).await?;
    }
    writer.shutdown().await?;
    log.with(|out| writeln!(out, "served {request_line}"))
        .transpose()?;
    println!("request done: {request_line}");
    Ok(())
}
