//! The object storage of the tests: a real S3 server (Garage) that
//! `scripts/test.sh` installs, starts on a free port with a bucket and a
//! key, and names in `CERCLE_TEST_S3_*`. Each test app gets its own prefix
//! in the bucket, so that one app's sweep never sees another's blobs.
//! And a TCP relay in front of it that a test can cut and restore (the
//! object storage "down", then back).

use cercle::Config;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// True when the object storage runs are switched off (`CERCLE_SKIP_S3=1`,
/// for a machine without the S3 server); the skip is then reported.
pub fn skip_s3() -> bool {
    let skip = std::env::var("CERCLE_SKIP_S3").is_ok_and(|v| v == "1");
    if skip {
        crate::report_skipped("CERCLE_SKIP_S3=1, not run on object storage");
    }
    skip
}

fn var(name: &str) -> String {
    std::env::var(format!("CERCLE_TEST_S3_{name}")).unwrap_or_else(|_| {
        panic!(
            "CERCLE_TEST_S3_{name} is not set: run the tests through scripts/test.sh, which starts a Garage \
             S3 server and sets CERCLE_TEST_S3_*, or run with CERCLE_SKIP_S3=1 to skip the object storage tests"
        )
    })
}

/// The test S3 server's address (`http://127.0.0.1:port`).
pub fn endpoint() -> String {
    var("ENDPOINT")
}

/// Makes `config` keep its blobs in the test bucket, under a prefix of its
/// own.
pub fn use_s3(config: &mut Config) {
    use_s3_at(config, &endpoint());
}

/// The same, through another address (a [`Relay`]).
pub fn use_s3_at(config: &mut Config, endpoint: &str) {
    config.blob_store = "s3".into();
    config.s3_endpoint = Some(endpoint.to_string());
    config.s3_bucket = Some(var("BUCKET"));
    config.s3_region = var("REGION");
    config.s3_access_key_id = Some(var("ACCESS_KEY_ID"));
    config.s3_secret_access_key = Some(var("SECRET_ACCESS_KEY"));
    config.s3_prefix = format!("t-{}/", uuid::Uuid::new_v4().simple());
}

/// A TCP relay on loopback to the S3 server, that a test cuts (new
/// connections refused, open ones dropped) and restores on the same port.
pub struct Relay {
    addr: SocketAddr,
    upstream: SocketAddr,
    /// Each connection is dropped once it has carried this many bytes to
    /// the server (a node killed in the middle of sending a blob).
    limit: Option<u64>,
    /// Bytes carried to the server so far, over every connection.
    carried: Arc<AtomicU64>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    pub async fn start() -> Relay {
        Self::start_with(None).await
    }

    /// A relay that drops every connection once `bytes` have gone through
    /// it to the server: a request larger than that never arrives whole.
    pub async fn cutting_after(bytes: u64) -> Relay {
        Self::start_with(Some(bytes)).await
    }

    async fn start_with(limit: Option<u64>) -> Relay {
        let upstream = endpoint()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("CERCLE_TEST_S3_ENDPOINT is http://ip:port");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let relay = Relay {
            addr: listener.local_addr().expect("relay address"),
            upstream,
            limit,
            carried: Arc::default(),
            tasks: Arc::default(),
        };
        relay.serve(listener);
        relay
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Bytes carried to the server so far, over every connection (requests
    /// with their bodies): how far a node got in sending a blob.
    pub fn carried(&self) -> u64 {
        self.carried.load(Ordering::SeqCst)
    }

    fn serve(&self, listener: TcpListener) {
        let (upstream, limit, tasks) = (self.upstream, self.limit, self.tasks.clone());
        let carried = self.carried.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let carried = carried.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, limit.unwrap_or(u64::MAX), &carried).await;
                    }
                });
                if let Ok(mut t) = tasks.lock() {
                    t.push(relay);
                }
            }
        });
        if let Ok(mut t) = self.tasks.lock() {
            t.push(accept);
        }
    }

    /// The storage "down": nothing listens on the port any more, and the
    /// connections open through it are dropped.
    pub async fn cut(&self) {
        let tasks: Vec<JoinHandle<()>> = self.tasks.lock().map(|mut t| t.drain(..).collect()).unwrap_or_default();
        for t in tasks {
            t.abort();
            let _ = t.await;
        }
    }

    /// The storage back, on the same port.
    pub async fn restore(&self) {
        let listener = TcpListener::bind(self.addr).await.expect("bind the relay's port again");
        self.serve(listener);
    }
}

/// Copies both ways until either side closes, or `limit` bytes have gone
/// to the server; then drops both connections. Counts what went to the
/// server in `carried`.
async fn relay(client: TcpStream, server: TcpStream, limit: u64, carried: &AtomicU64) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let up = async {
        let mut from_client = (&mut from_client).take(limit);
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(n) = from_client.read(&mut buffer).await {
            if n == 0 || to_server.write_all(&buffer[..n]).await.is_err() {
                break;
            }
            carried.fetch_add(n as u64, Ordering::SeqCst);
        }
    };
    let down = async {
        let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
    };
    tokio::select! {
        () = up => {}
        () = down => {}
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.lock() {
            for t in tasks.iter() {
                t.abort();
            }
        }
    }
}
