//! Authoritative DNS for tests, on 127.0.0.1 only: zones from files or
//! text, served by hickory-server over UDP and TCP on one port. The
//! `whoserves-testserver` binary, the CLI's collection tests and the
//! collection benchmark all start their DNS server here.

use hickory_proto::rr::LowerName;
use hickory_proto::serialize::txt::Parser;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, ZoneType};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};

pub use hickory_server::zone_handler::Catalog;
pub use hickory_server::Server;

/// Adds the zone in `text` (zone-file syntax with its `$ORIGIN`) to
/// `catalog`; `path` names it in errors and resolves `$INCLUDE`s.
pub fn add_zone(catalog: &mut Catalog, text: String, path: Option<PathBuf>) {
    let shown = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "zone".into());
    let (origin, records) = Parser::new(text, path, None)
        .parse()
        .unwrap_or_else(|e| panic!("{shown}: {e}"));
    let zone = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
        origin.clone(),
        records,
        ZoneType::Primary,
        AxfrPolicy::Deny,
    )
    .unwrap_or_else(|e| panic!("{shown}: {e}"));
    catalog.upsert(LowerName::from(origin), vec![Arc::new(zone)]);
}

/// A catalog of every zone file in `dir`, in name order.
pub fn zones(dir: &Path) -> Catalog {
    let mut catalog = Catalog::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("zone entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        add_zone(&mut catalog, text, Some(path));
    }
    catalog
}

/// Registers UDP and TCP listeners on one free port of 127.0.0.1 (a free
/// UDP port, then its TCP twin) and returns the address.
pub async fn listen(server: &mut Server<Catalog>) -> SocketAddr {
    let (udp, tcp) = loop {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("udp");
        let port = udp.local_addr().expect("addr").port();
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
            break (udp, tcp);
        }
    };
    let addr = udp.local_addr().expect("addr");
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 4096);
    addr
}

/// Serves `catalog` over UDP and TCP until the runtime ends; returns the
/// address.
pub async fn serve(catalog: Catalog) -> SocketAddr {
    let mut server = Server::new(catalog);
    let addr = listen(&mut server).await;
    tokio::spawn(async move {
        let _ = server.block_until_done().await;
    });
    addr
}
