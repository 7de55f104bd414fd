//! The selective forwarding unit (SFU) of Cercle's calls of three or more
//! (issue 17): every participant sends their audio and video once, to the
//! unit, and the unit forwards each stream as it is (no decoding, no
//! mixing, no transcoding) to every other participant of the same call.
//!
//! Built on [`str0m`], a maintained WebRTC stack in Rust written sans-IO:
//! one `Rtc` per participant holds ICE, DTLS-SRTP, RTP/RTCP and the SDP
//! state, and this crate owns the only I/O: one UDP socket and one thread
//! ([`unit`]) that reads datagrams, hands each to the `Rtc` that accepts
//! it, and sends what they produce. Media are always encrypted (DTLS-SRTP,
//! str0m refuses anything else); the unit decrypts each packet to forward it
//! and encrypts it again for each receiver, and keeps nothing.
//!
//! The API is plain and synchronous on the caller's side, the work happens
//! on the unit's thread:
//! * [`Unit::start`] binds the socket and starts the thread; it answers a
//!   [`Handle`] (cheap to clone) and the [`Signals`] the app drains;
//! * [`Handle::join`]: a participant's SDP offer in, the unit's answer out;
//! * when another participant's track appears (or goes), the unit offers a
//!   renegotiation to each receiver: an [`Outgoing`] offer on [`Signals`],
//!   whose answer comes back through [`Handle::signal`] (which also takes
//!   the participant's own new offers, such as a screen being shared);
//! * [`Handle::leave`] and [`Handle::end`] close connections.
//!
//! Everything is bounded ([`Config`]): calls, participants per call, tracks
//! per participant, SDP size, the command queue and the outgoing queue.

pub mod synthetic;
mod unit;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;
use str0m::change::{SdpAnswer, SdpOffer};

/// Fewest bytes of one SDP (offer or answer) the unit reads. A browser's
/// offer for audio, video and a screen is a few kilobytes.
pub const MIN_MAX_SDP_BYTES: usize = 32 * 1024;

/// Bytes allowed per media line of an SDP: the unit's offers and their
/// answers hold one line per track of every other participant (a video
/// line is 4.6 KiB in Chromium's offers, 3.6 KiB in the unit's).
pub const SDP_BYTES_PER_TRACK: usize = 5 * 1024;

/// The most bytes of one SDP for calls of `max_participants`: one media
/// line per track of everyone ([`SDP_BYTES_PER_TRACK`]), at least
/// [`MIN_MAX_SDP_BYTES`].
pub fn max_sdp_bytes_for(max_participants: usize) -> usize {
    (max_participants * MAX_TRACKS_IN * SDP_BYTES_PER_TRACK).max(MIN_MAX_SDP_BYTES)
}

/// Most commands waiting for the unit's thread; past that a command is
/// refused as [`SfuError::Busy`] instead of queueing without end.
pub const COMMAND_QUEUE: usize = 1024;

/// Most offers waiting for the app to take them from [`Signals`]; past
/// that the unit waits before offering again (nothing is lost: the
/// tracks stay to be negotiated).
pub const OUTGOING_QUEUE: usize = 1024;

/// Most incoming tracks one participant may open (audio, camera, screen,
/// and one spare for a switch of device); the rest are not forwarded.
pub const MAX_TRACKS_IN: usize = 4;

/// Longest call or participant identifier (a UUID is 36).
pub const MAX_ID_LEN: usize = 64;

/// How the unit runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The UDP address to bind (`0.0.0.0:3478`; port 0: any free port).
    pub bind: SocketAddr,
    /// The address announced to participants as the unit's candidate (the
    /// bound port with this IP); none: the bound address itself (which
    /// must then not be unspecified).
    pub public_ip: Option<IpAddr>,
    /// Most calls going through the unit at once.
    pub max_calls: usize,
    /// Most participants of one call in the unit.
    pub max_participants: usize,
    /// Most bytes of one SDP ([`max_sdp_bytes_for`] the participants).
    pub max_sdp_bytes: usize,
}

impl Config {
    /// A unit on `bind` with the default bounds (16 participants a call).
    pub fn new(bind: SocketAddr) -> Config {
        Config::with_participants(bind, 16)
    }

    /// A unit on `bind` for calls of at most `max_participants`.
    pub fn with_participants(bind: SocketAddr, max_participants: usize) -> Config {
        Config {
            bind,
            public_ip: None,
            max_calls: 50,
            max_participants,
            max_sdp_bytes: max_sdp_bytes_for(max_participants),
        }
    }
}

/// Why the unit refused something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SfuError {
    #[error("the SDP is larger than {0} bytes")]
    SdpTooLarge(usize),
    #[error("the SDP is malformed")]
    BadSdp,
    #[error("the SDP was refused: {0}")]
    Refused(String),
    #[error("too many calls on the forwarding unit")]
    TooManyCalls,
    #[error("the call is full on the forwarding unit")]
    CallFull,
    #[error("not in this call on the forwarding unit")]
    NotInCall,
    #[error("no offer of the unit is waiting for this answer")]
    NoPendingOffer,
    #[error("a call or participant identifier is empty or too long")]
    BadId,
    #[error("the forwarding unit is busy")]
    Busy,
    #[error("the forwarding unit has stopped")]
    Stopped,
}

/// What a participant sends the unit after joining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Their answer to the unit's last offer.
    Answer(String),
    /// An offer of theirs (a track added or removed): the unit answers it.
    Offer(String),
}

/// An offer of the unit to a participant, to be delivered by the app (the
/// answer comes back through [`Handle::signal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub call: String,
    pub participant: String,
    pub offer_sdp: String,
}

/// The unit's offers, in order. The app drains them.
pub struct Signals(tokio::sync::mpsc::Receiver<Outgoing>);

impl Signals {
    /// The next offer; `None` once the unit has stopped.
    pub async fn recv(&mut self) -> Option<Outgoing> {
        self.0.recv().await
    }

    /// The next offer if one is waiting.
    pub fn try_recv(&mut self) -> Option<Outgoing> {
        self.0.try_recv().ok()
    }
}

/// What the unit carries now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub calls: usize,
    pub participants: usize,
    /// Participants whose ICE and DTLS are up.
    pub connected: usize,
    /// Tracks received (each forwarded to the others of its call).
    pub tracks_in: usize,
    /// Tracks sent (one per track of every other participant).
    pub tracks_out: usize,
    /// Frames (audio packets, video frames) written to receivers so far.
    pub forwarded_frames: u64,
    pub forwarded_bytes: u64,
    /// CPU time of the unit's thread so far (Linux), in milliseconds.
    pub cpu_ms: Option<u64>,
}

/// A reply the unit's thread sends back.
type Reply<T> = tokio::sync::oneshot::Sender<Result<T, SfuError>>;

enum Command {
    Join {
        call: String,
        participant: String,
        offer: Box<SdpOffer>,
        reply: Reply<String>,
    },
    Answer {
        call: String,
        participant: String,
        answer: Box<SdpAnswer>,
        reply: Reply<Option<String>>,
    },
    Offer {
        call: String,
        participant: String,
        offer: Box<SdpOffer>,
        reply: Reply<Option<String>>,
    },
    Leave {
        call: String,
        participant: String,
    },
    End {
        call: String,
    },
    Stats {
        reply: Reply<Stats>,
    },
}

/// Starts units.
pub struct Unit;

impl Unit {
    /// Binds the socket and starts the unit's thread. The thread stops
    /// when every [`Handle`] is dropped, closing every connection.
    pub fn start(config: Config) -> std::io::Result<(Handle, Signals)> {
        let socket = UdpSocket::bind(config.bind)?;
        let local = socket.local_addr()?;
        let announced_ip = match config.public_ip {
            Some(ip) => ip,
            None if local.ip().is_unspecified() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the forwarding unit binds an unspecified address: set its public IP",
                ))
            }
            None => local.ip(),
        };
        let announced = SocketAddr::new(announced_ip, local.port());
        // The waker: a datagram from this socket tells the thread that a
        // command is waiting, so that it never sleeps on one.
        let wake_target = if local.ip().is_unspecified() {
            let loopback: IpAddr = if local.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            };
            SocketAddr::new(loopback, local.port())
        } else {
            local
        };
        let waker = UdpSocket::bind(SocketAddr::new(wake_target.ip(), 0))?;
        waker.connect(wake_target)?;
        let (tx, rx) = sync_channel(COMMAND_QUEUE);
        let (out_tx, out_rx) = tokio::sync::mpsc::channel(OUTGOING_QUEUE);
        let waker_addr = waker.local_addr()?;
        let run = unit::Loop::new(socket, local, announced, waker_addr, config.clone(), rx, out_tx);
        std::thread::Builder::new()
            .name("cercle-sfu".into())
            .spawn(move || run.run())?;
        let handle = Handle {
            inner: Arc::new(Inner {
                tx,
                waker,
                local,
                announced,
                config,
            }),
        };
        Ok((handle, Signals(out_rx)))
    }
}

struct Inner {
    tx: SyncSender<Command>,
    waker: UdpSocket,
    local: SocketAddr,
    announced: SocketAddr,
    config: Config,
}

/// Talks to a running unit. Every method returns at once; those with an
/// answer give a [`Pending`] to await (or to wait for outside async code).
#[derive(Clone)]
pub struct Handle {
    inner: Arc<Inner>,
}

/// An answer of the unit's thread to come.
pub struct Pending<T>(Result<tokio::sync::oneshot::Receiver<Result<T, SfuError>>, SfuError>);

impl<T> Pending<T> {
    fn failed(e: SfuError) -> Self {
        Pending(Err(e))
    }

    /// Awaits the answer.
    pub async fn recv(self) -> Result<T, SfuError> {
        match self.0 {
            Ok(rx) => rx.await.unwrap_or(Err(SfuError::Stopped)),
            Err(e) => Err(e),
        }
    }

    /// Waits for the answer, at most `timeout` (outside async code only:
    /// this blocks the thread on a runtime of its own).
    pub fn wait(self, timeout: Duration) -> Result<T, SfuError> {
        let rx = self.0?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|_| SfuError::Stopped)?;
        match rt.block_on(async move { tokio::time::timeout(timeout, rx).await }) {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(SfuError::Stopped),
            Err(_) => Err(SfuError::Busy),
        }
    }
}

fn check_id(id: &str) -> Result<(), SfuError> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(SfuError::BadId);
    }
    Ok(())
}

impl Handle {
    /// The bound UDP address.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local
    }

    /// The address announced to participants (their ICE candidate).
    pub fn announced_addr(&self) -> SocketAddr {
        self.inner.announced
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    fn send(&self, c: Command) -> Result<(), SfuError> {
        match self.inner.tx.try_send(c) {
            Ok(()) => {
                // Lost or refused: the thread wakes on its own timeout.
                let _ = self.inner.waker.send(&[]);
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err(SfuError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(SfuError::Stopped),
        }
    }

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Pending<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        match self.send(make(tx)) {
            Ok(()) => Pending(Ok(rx)),
            Err(e) => Pending::failed(e),
        }
    }

    fn parse_offer(&self, sdp: &str) -> Result<Box<SdpOffer>, SfuError> {
        if sdp.len() > self.inner.config.max_sdp_bytes {
            return Err(SfuError::SdpTooLarge(self.inner.config.max_sdp_bytes));
        }
        SdpOffer::from_sdp_string(sdp)
            .map(Box::new)
            .map_err(|_| SfuError::BadSdp)
    }

    fn parse_answer(&self, sdp: &str) -> Result<Box<SdpAnswer>, SfuError> {
        if sdp.len() > self.inner.config.max_sdp_bytes {
            return Err(SfuError::SdpTooLarge(self.inner.config.max_sdp_bytes));
        }
        SdpAnswer::from_sdp_string(sdp)
            .map(Box::new)
            .map_err(|_| SfuError::BadSdp)
    }

    /// A participant joins a call (again: their former connection is
    /// closed) with their SDP offer; the answer is the unit's SDP.
    pub fn join(&self, call: &str, participant: &str, offer_sdp: &str) -> Pending<String> {
        if let Err(e) = check_id(call).and_then(|()| check_id(participant)) {
            return Pending::failed(e);
        }
        let offer = match self.parse_offer(offer_sdp) {
            Ok(o) => o,
            Err(e) => return Pending::failed(e),
        };
        self.ask(|reply| Command::Join {
            call: call.to_string(),
            participant: participant.to_string(),
            offer,
            reply,
        })
    }

    /// A participant's answer to the unit's offer (`None` back), or a new
    /// offer of theirs (the unit's answer back).
    pub fn signal(&self, call: &str, participant: &str, signal: &Signal) -> Pending<Option<String>> {
        if let Err(e) = check_id(call).and_then(|()| check_id(participant)) {
            return Pending::failed(e);
        }
        let (call, participant) = (call.to_string(), participant.to_string());
        match signal {
            Signal::Answer(sdp) => match self.parse_answer(sdp) {
                Ok(answer) => self.ask(|reply| Command::Answer {
                    call,
                    participant,
                    answer,
                    reply,
                }),
                Err(e) => Pending::failed(e),
            },
            Signal::Offer(sdp) => match self.parse_offer(sdp) {
                Ok(offer) => self.ask(|reply| Command::Offer {
                    call,
                    participant,
                    offer,
                    reply,
                }),
                Err(e) => Pending::failed(e),
            },
        }
    }

    /// Closes a participant's connection (left, removed, lost); the others
    /// stop receiving their tracks.
    pub fn leave(&self, call: &str, participant: &str) -> Result<(), SfuError> {
        self.send(Command::Leave {
            call: call.to_string(),
            participant: participant.to_string(),
        })
    }

    /// Closes every connection of a call.
    pub fn end(&self, call: &str) -> Result<(), SfuError> {
        self.send(Command::End { call: call.to_string() })
    }

    /// What the unit carries now (after every command sent before).
    pub fn stats(&self) -> Pending<Stats> {
        self.ask(|reply| Command::Stats { reply })
    }
}
