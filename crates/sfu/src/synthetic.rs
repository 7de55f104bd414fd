//! Synthetic participants for the unit's tests and its benchmark
//! (`cercle-bench calls`): str0m clients on loopback, each with its own UDP
//! socket, that send an Opus-sized audio packet every 20 ms and a VP8
//! key-frame-shaped video frame every 33 ms, and count what they receive
//! from whom. No codec runs: the unit forwards bytes without looking at
//! them, so the payloads only carry who sent them and when.
//!
//! A [`Swarm`] drives the unit's [`Handle`] and many clients from the
//! calling thread (the unit keeps its own), delivering the unit's offers
//! to their clients and the answers back.

use crate::{Handle, Outgoing, SfuError, Signal, Signals};
use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, KeyframeRequestKind, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

const AUDIO_EVERY: Duration = Duration::from_millis(20);
const VIDEO_EVERY: Duration = Duration::from_millis(33);
const AUDIO_BYTES: usize = 80;
const VIDEO_BYTES: usize = 1000;
/// The sender's marks: a kind byte, its index, its send time (ns since
/// the swarm's start). Audio: from byte 0; video: after the 10 bytes of a
/// VP8 key frame's header.
const VIDEO_MARK_AT: usize = 10;
/// Most latency samples kept per client.
const MAX_SAMPLES: usize = 20_000;

/// What one client received from one sender.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub audio: u64,
    pub video: u64,
}

/// A participant made of a str0m `Rtc` and a loopback socket.
pub struct Client {
    pub index: u8,
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    audio: Mid,
    video: Mid,
    pending: Option<SdpPendingOffer>,
    connected: bool,
    /// Sends media (a client may go on sending after it left the unit).
    pub sending: bool,
    next_audio: Instant,
    next_video: Instant,
    base: Instant,
    received: BTreeMap<u8, Counts>,
    /// Send→receive times of the frames received (µs), at most
    /// [`MAX_SAMPLES`].
    pub latencies_us: Vec<u64>,
    /// The track each sender's video arrives on.
    video_from: BTreeMap<u8, Mid>,
    /// Keyframe requests received for its own video: full intra requests
    /// (what [`Client::request_keyframe`] sends) and picture loss
    /// indications.
    pub firs: u64,
    pub plis: u64,
    buf: Vec<u8>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Client {
    /// A client whose offer sends audio and video; answers it and its offer.
    pub fn new(index: u8, base: Instant) -> Result<(Client, String), String> {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(err)?;
        socket.set_nonblocking(true).map_err(err)?;
        let local = socket.local_addr().map_err(err)?;
        let now = Instant::now();
        let mut rtc = Rtc::builder()
            .set_crypto_provider(std::sync::Arc::new(str0m::crypto::from_feature_flags()))
            .build(now);
        rtc.add_local_candidate(Candidate::host(local, "udp").map_err(err)?);
        let mut change = rtc.sdp_api();
        let stream = format!("synthetic-{index}");
        let audio = change.add_media(MediaKind::Audio, Direction::SendOnly, Some(stream.clone()), None, None);
        let video = change.add_media(MediaKind::Video, Direction::SendOnly, Some(stream), None, None);
        let (offer, pending) = change.apply().ok_or("no offer")?;
        let client = Client {
            index,
            rtc,
            socket,
            local,
            audio,
            video,
            pending: Some(pending),
            connected: false,
            sending: true,
            next_audio: now,
            next_video: now,
            base,
            received: BTreeMap::new(),
            latencies_us: Vec::new(),
            video_from: BTreeMap::new(),
            firs: 0,
            plis: 0,
            buf: vec![0; 2000],
        };
        Ok((client, offer.to_sdp_string()))
    }

    /// The unit's answer to this client's offer.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), String> {
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(err)?;
        let pending = self.pending.take().ok_or("no offer pending")?;
        self.rtc.sdp_api().accept_answer(pending, answer).map_err(err)
    }

    /// An offer of the unit (its tracks of the others); answers it.
    pub fn accept_offer(&mut self, sdp: &str) -> Result<String, String> {
        let offer = SdpOffer::from_sdp_string(sdp).map_err(err)?;
        let answer = self.rtc.sdp_api().accept_offer(offer).map_err(err)?;
        Ok(answer.to_sdp_string())
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// What it received, by sender index.
    pub fn received(&self) -> &BTreeMap<u8, Counts> {
        &self.received
    }

    pub fn from(&self, index: u8) -> Counts {
        self.received.get(&index).copied().unwrap_or_default()
    }

    /// Reads what arrived, sends what is due; false once the connection
    /// closed.
    pub fn step(&mut self) -> bool {
        loop {
            match self.socket.recv_from(&mut self.buf) {
                Ok((n, source)) => {
                    let Ok(contents) = self.buf[..n].try_into() else {
                        continue;
                    };
                    let input = Input::Receive(
                        Instant::now(),
                        Receive {
                            proto: Protocol::Udp,
                            source,
                            destination: self.local,
                            contents,
                        },
                    );
                    if self.rtc.accepts(&input) && self.rtc.handle_input(input).is_err() {
                        self.rtc.disconnect();
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => break,
            }
        }
        if !self.rtc.is_alive() {
            return false;
        }
        let now = Instant::now();
        if self.rtc.handle_input(Input::Timeout(now)).is_err() {
            self.rtc.disconnect();
            return false;
        }
        if self.connected && self.sending {
            if now >= self.next_audio {
                self.next_audio += AUDIO_EVERY;
                self.send(true, now);
            }
            if now >= self.next_video {
                self.next_video += VIDEO_EVERY;
                self.send(false, now);
            }
        }
        self.drain()
    }

    fn mark(&self, kind: u8, now: Instant) -> [u8; 10] {
        let ns = now.saturating_duration_since(self.base).as_nanos() as u64;
        let mut m = [0u8; 10];
        m[0] = kind;
        m[1] = self.index;
        m[2..].copy_from_slice(&ns.to_be_bytes());
        m
    }

    fn send(&mut self, audio: bool, now: Instant) {
        let (mid, codec) = if audio {
            (self.audio, Codec::Opus)
        } else {
            (self.video, Codec::Vp8)
        };
        let mark = self.mark(if audio { b'A' } else { b'V' }, now);
        let mut data = if audio {
            let mut d = vec![0u8; AUDIO_BYTES];
            d[..mark.len()].copy_from_slice(&mark);
            d
        } else {
            // A VP8 key frame's header (frame tag, start code, 16x16), then
            // the mark.
            let mut d = vec![0u8; VIDEO_BYTES];
            d[..VIDEO_MARK_AT].copy_from_slice(&[0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 16, 0, 16, 0]);
            d[VIDEO_MARK_AT..VIDEO_MARK_AT + mark.len()].copy_from_slice(&mark);
            d
        };
        data.truncate(if audio { AUDIO_BYTES } else { VIDEO_BYTES });
        let elapsed = now.saturating_duration_since(self.base);
        let Some(writer) = self.rtc.writer(mid) else { return };
        let Some(pt) = writer
            .payload_params()
            .find(|p| p.spec().codec == codec)
            .map(|p| p.pt())
        else {
            return;
        };
        let time = if audio {
            MediaTime::new(
                elapsed.as_millis() as u64 * 48,
                str0m::media::Frequency::FORTY_EIGHT_KHZ,
            )
        } else {
            MediaTime::new(elapsed.as_millis() as u64 * 90, str0m::media::Frequency::NINETY_KHZ)
        };
        if writer.write(pt, now, time, data).is_err() {
            self.rtc.disconnect();
        }
    }

    fn drain(&mut self) -> bool {
        loop {
            if !self.rtc.is_alive() {
                return false;
            }
            match self.rtc.poll_output() {
                Ok(Output::Timeout(_)) => return true,
                Ok(Output::Transmit(t)) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(e)) => self.event(e),
                Err(_) => {
                    self.rtc.disconnect();
                    return false;
                }
            }
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Connected => self.connected = true,
            Event::KeyframeRequest(r) => match r.kind {
                KeyframeRequestKind::Fir => self.firs += 1,
                KeyframeRequestKind::Pli => self.plis += 1,
            },
            Event::MediaData(d) => {
                let (at, audio) = match d.data.first() {
                    Some(b'A') => (0, true),
                    _ => (VIDEO_MARK_AT, false),
                };
                let Some(mark) = d.data.get(at..at + 10) else { return };
                if mark[0] != if audio { b'A' } else { b'V' } {
                    return;
                }
                let counts = self.received.entry(mark[1]).or_default();
                if audio {
                    counts.audio += 1;
                } else {
                    counts.video += 1;
                    self.video_from.insert(mark[1], d.mid);
                }
                let mut ns = [0u8; 8];
                ns.copy_from_slice(&mark[2..10]);
                let sent = Duration::from_nanos(u64::from_be_bytes(ns));
                let now = Instant::now().saturating_duration_since(self.base);
                if self.latencies_us.len() < MAX_SAMPLES {
                    self.latencies_us.push(now.saturating_sub(sent).as_micros() as u64);
                }
            }
            _ => {}
        }
    }

    /// Asks for a keyframe (FIR) of the video it receives from `from`;
    /// false when none arrived yet.
    pub fn request_keyframe(&mut self, from: u8) -> bool {
        let Some(mid) = self.video_from.get(&from).copied() else {
            return false;
        };
        let ok = self
            .rtc
            .writer(mid)
            .is_some_and(|mut w| w.request_keyframe(None, KeyframeRequestKind::Fir).is_ok());
        ok && self.drain()
    }

    /// Closes the connection.
    pub fn close(&mut self) {
        self.rtc.disconnect();
    }
}

/// The SDP offer of a client that sends `audio` audio and `video` video
/// tracks, made as [`Client::new`] makes its own (the SDP bounds' tests:
/// an offer with as many media lines as a large call's).
pub fn offer_with_lines(audio: usize, video: usize) -> Result<String, String> {
    let now = Instant::now();
    let mut rtc = Rtc::builder()
        .set_crypto_provider(std::sync::Arc::new(str0m::crypto::from_feature_flags()))
        .build(now);
    rtc.add_local_candidate(Candidate::host(SocketAddr::from(([127, 0, 0, 1], 9)), "udp").map_err(err)?);
    let mut change = rtc.sdp_api();
    for i in 0..audio + video {
        let kind = if i < audio { MediaKind::Audio } else { MediaKind::Video };
        change.add_media(kind, Direction::SendOnly, Some(format!("synthetic-{i}")), None, None);
    }
    let (offer, _pending) = change.apply().ok_or("no offer")?;
    Ok(offer.to_sdp_string())
}

/// Clients of one unit, driven from the calling thread.
pub struct Swarm {
    pub handle: Handle,
    signals: Signals,
    base: Instant,
    /// (call, participant, client)
    pub clients: Vec<(String, String, Client)>,
    /// Offers the unit made, delivered and answered.
    pub offers: u64,
}

impl Swarm {
    pub fn new(handle: Handle, signals: Signals) -> Swarm {
        Swarm {
            handle,
            signals,
            base: Instant::now(),
            clients: Vec::new(),
            offers: 0,
        }
    }

    /// A new client joins `call` as `participant` through the unit.
    pub fn join(&mut self, call: &str, participant: &str, index: u8) -> Result<(), SfuError> {
        let (mut client, offer) = Client::new(index, self.base).map_err(SfuError::Refused)?;
        let answer = self
            .handle
            .join(call, participant, &offer)
            .wait(Duration::from_secs(10))?;
        client.accept_answer(&answer).map_err(SfuError::Refused)?;
        self.clients.push((call.into(), participant.into(), client));
        Ok(())
    }

    pub fn client(&self, participant: &str) -> Option<&Client> {
        self.clients
            .iter()
            .find(|(_, p, _)| p == participant)
            .map(|(_, _, c)| c)
    }

    pub fn client_mut(&mut self, participant: &str) -> Option<&mut Client> {
        self.clients
            .iter_mut()
            .find(|(_, p, _)| p == participant)
            .map(|(_, _, c)| c)
    }

    fn deliver(&mut self, o: Outgoing) -> Result<(), SfuError> {
        let Some((_, _, client)) = self
            .clients
            .iter_mut()
            .find(|(c, p, _)| *c == o.call && *p == o.participant)
        else {
            return Ok(());
        };
        let answer = client.accept_offer(&o.offer_sdp).map_err(SfuError::Refused)?;
        self.offers += 1;
        self.handle
            .signal(&o.call, &o.participant, &Signal::Answer(answer))
            .wait(Duration::from_secs(10))?;
        Ok(())
    }

    /// One round: the unit's offers delivered, every client stepped, then
    /// a short sleep (0.5 ms).
    pub fn step(&mut self) -> Result<(), SfuError> {
        while let Some(o) = self.signals.try_recv() {
            self.deliver(o)?;
        }
        for (_, _, c) in &mut self.clients {
            c.step();
        }
        // The load generator's pace (its clients' sockets do not block):
        // a test and benchmark driver, never server code.
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_micros(500));
        Ok(())
    }

    /// Steps until `done` says so (true) or `limit` has passed (false).
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Swarm) -> bool) -> Result<bool, SfuError> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            self.step()?;
            if done(self) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Steps for `d`.
    pub fn run_for(&mut self, d: Duration) -> Result<(), SfuError> {
        self.run_until(d, |_| false).map(|_| ())
    }
}
