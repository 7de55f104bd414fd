//! The unit's thread: one UDP socket, every participant's `Rtc`, the
//! forwarding between them. Sans-IO str0m leaves all I/O and all time to
//! this loop:
//!
//! 1. take the commands waiting (join, answer, offer, leave, end, stats);
//! 2. drop the connections str0m closed (ICE lost, DTLS closed);
//! 3. poll every `Rtc` until it only has a timeout left: datagrams go out
//!    on the socket, events (a track added, a frame received, a keyframe
//!    asked for) are queued; a participant with tracks to add or stop gets
//!    an offer (one at a time: the next waits for the answer);
//! 4. hand each queued event to the other participants of the same call
//!    (a frame is written to each receiver's matching track, a keyframe
//!    request goes to the track's source), then poll again;
//! 5. otherwise wait for a datagram until the earliest timeout (a command
//!    wakes the wait with an empty datagram from the handle's socket), give
//!    it to the `Rtc` that accepts it, and tell the expired `Rtc`s the time.

use crate::{Command, Config, Outgoing, SfuError, Stats, MAX_TRACKS_IN};
use std::collections::{HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::crypto::CryptoProvider;
use str0m::media::{Direction, KeyframeRequest, KeyframeRequestKind, MediaData, MediaKind, Mid, Rid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

/// Largest datagram read (WebRTC keeps packets under the path MTU).
const MAX_DATAGRAM: usize = 2000;

/// Longest wait without anything to do (the thread looks whether its
/// handles are gone this often).
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// A source is asked for a keyframe at most this often on behalf of the
/// unit itself (after a loss); receivers' own requests are forwarded as
/// they come (str0m paces them).
const KEYFRAME_THROTTLE: Duration = Duration::from_secs(1);

/// A track a participant sends the unit.
#[derive(Debug)]
struct TrackIn {
    origin: u64,
    /// The stream's name for receivers: its participant's identifier for
    /// their first track of each kind (microphone, camera), then
    /// `<participant>.<mid>` for each further one (a shared screen), so
    /// that a receiver shows it apart.
    origin_name: String,
    mid: Mid,
    kind: MediaKind,
}

struct TrackInEntry {
    /// The only strong reference: the track's receivers hold weak ones, so
    /// that the track is gone for them when its participant is.
    id: Arc<TrackIn>,
    last_keyframe_request: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutState {
    ToOpen,
    Negotiating(Mid),
    Open(Mid),
    ToStop(Mid),
    NegotiatingStop(Mid),
}

/// Another participant's track, sent to this participant.
struct TrackOut {
    track_in: Weak<TrackIn>,
    state: OutState,
}

impl TrackOut {
    fn mid(&self) -> Option<Mid> {
        match self.state {
            OutState::ToOpen => None,
            OutState::Negotiating(m) | OutState::Open(m) | OutState::ToStop(m) | OutState::NegotiatingStop(m) => {
                Some(m)
            }
        }
    }
}

/// One participant's connection.
struct Part {
    id: u64,
    call: Arc<str>,
    participant: String,
    rtc: Rtc,
    pending: Option<SdpPendingOffer>,
    connected: bool,
    tracks_in: Vec<TrackInEntry>,
    tracks_out: Vec<TrackOut>,
    chosen_rid: Option<Rid>,
    next_timeout: Instant,
}

// Nearly every item is a frame: boxing it would allocate once per frame.
#[allow(clippy::large_enum_variant)]
enum Propagated {
    TrackOpen(u64, Weak<TrackIn>),
    Media(u64, MediaData),
    /// A receiver's request, for the source participant and its track.
    Keyframe(KeyframeRequest, u64, Mid),
}

impl Part {
    fn input(&mut self, input: Input) {
        if !self.rtc.is_alive() {
            return;
        }
        if let Err(e) = self.rtc.handle_input(input) {
            tracing::debug!(error = %e, "forwarding unit: connection closed on bad input");
            self.rtc.disconnect();
        }
    }

    /// Cancels the offer waiting for an answer (the participant's own
    /// offer came first, or the answer was refused): its changes are to be
    /// offered again.
    fn cancel_pending(&mut self) {
        self.pending = None;
        for t in &mut self.tracks_out {
            match t.state {
                OutState::Negotiating(_) => t.state = OutState::ToOpen,
                OutState::NegotiatingStop(m) => t.state = OutState::ToStop(m),
                _ => {}
            }
        }
    }

    /// The offer that adds the tracks to open and stops those whose source
    /// is gone; none while another waits for its answer.
    fn negotiate(&mut self) -> Option<SdpOffer> {
        if !self.connected || self.pending.is_some() {
            return None;
        }
        for t in &mut self.tracks_out {
            if let OutState::Open(m) = t.state {
                if t.track_in.strong_count() == 0 {
                    t.state = OutState::ToStop(m);
                }
            }
        }
        self.tracks_out
            .retain(|t| !(t.state == OutState::ToOpen && t.track_in.strong_count() == 0));
        let mut change = self.rtc.sdp_api();
        for t in &mut self.tracks_out {
            match t.state {
                OutState::ToOpen => {
                    if let Some(track_in) = t.track_in.upgrade() {
                        // The stream is named after its source participant:
                        // a receiver tells whose tracks these are.
                        let stream_id = track_in.origin_name.clone();
                        let mid = change.add_media(track_in.kind, Direction::SendOnly, Some(stream_id), None, None);
                        t.state = OutState::Negotiating(mid);
                    }
                }
                OutState::ToStop(mid) => {
                    change.stop_media(mid);
                    t.state = OutState::NegotiatingStop(mid);
                }
                _ => {}
            }
        }
        if !change.has_changes() {
            return None;
        }
        let (offer, pending) = change.apply()?;
        self.pending = Some(pending);
        Some(offer)
    }

    fn accept_answer(&mut self, answer: SdpAnswer) -> Result<(), SfuError> {
        let Some(pending) = self.pending.take() else {
            return Err(SfuError::NoPendingOffer);
        };
        if let Err(e) = self.rtc.sdp_api().accept_answer(pending, answer) {
            self.cancel_pending();
            return Err(SfuError::Refused(e.to_string()));
        }
        for t in &mut self.tracks_out {
            if let OutState::Negotiating(m) = t.state {
                t.state = OutState::Open(m);
            }
        }
        self.tracks_out
            .retain(|t| !matches!(t.state, OutState::NegotiatingStop(_)));
        Ok(())
    }

    fn request_keyframe_throttled(&mut self, mid: Mid, rid: Option<Rid>) {
        let Some(entry) = self.tracks_in.iter_mut().find(|t| t.id.mid == mid) else {
            return;
        };
        if entry
            .last_keyframe_request
            .is_some_and(|t| t.elapsed() < KEYFRAME_THROTTLE)
        {
            return;
        }
        entry.last_keyframe_request = Some(Instant::now());
        if let Some(mut writer) = self.rtc.writer(mid) {
            let _ = writer.request_keyframe(rid, KeyframeRequestKind::Pli);
        }
    }

    /// Writes another participant's frame to the matching track; answers
    /// the bytes written.
    fn media_out(&mut self, origin: u64, data: &MediaData) -> Option<usize> {
        let mid = self
            .tracks_out
            .iter()
            .find(|o| {
                o.track_in
                    .upgrade()
                    .is_some_and(|i| i.origin == origin && i.mid == data.mid)
            })
            .and_then(TrackOut::mid)?;
        // Simulcast: the highest layer only (or no layers at all).
        if data.rid.is_some() && data.rid != Some("h".into()) {
            return None;
        }
        self.chosen_rid = data.rid;
        let writer = self.rtc.writer(mid)?;
        let pt = writer.match_params(data.params)?;
        if let Err(e) = writer.write(pt, data.network_time, data.time, data.data.clone()) {
            tracing::debug!(error = %e, "forwarding unit: a write failed, connection closed");
            self.rtc.disconnect();
            return None;
        }
        Some(data.data.len())
    }
}

pub(crate) struct Loop {
    socket: UdpSocket,
    /// The address received datagrams are addressed to, as the `Rtc`s know
    /// it (their candidate).
    announced: SocketAddr,
    waker: SocketAddr,
    config: Config,
    commands: Receiver<Command>,
    out: tokio::sync::mpsc::Sender<Outgoing>,
    crypto: Arc<CryptoProvider>,
    parts: Vec<Part>,
    next_id: u64,
    queue: VecDeque<Propagated>,
    /// Which connection a source address belongs to, checked first.
    by_source: HashMap<SocketAddr, u64>,
    forwarded_frames: u64,
    forwarded_bytes: u64,
}

impl Loop {
    pub(crate) fn new(
        socket: UdpSocket,
        _local: SocketAddr,
        announced: SocketAddr,
        waker: SocketAddr,
        config: Config,
        commands: Receiver<Command>,
        out: tokio::sync::mpsc::Sender<Outgoing>,
    ) -> Loop {
        Loop {
            socket,
            announced,
            waker,
            config,
            commands,
            out,
            crypto: Arc::new(str0m::crypto::from_feature_flags()),
            parts: Vec::new(),
            next_id: 1,
            queue: VecDeque::new(),
            by_source: HashMap::new(),
            forwarded_frames: 0,
            forwarded_bytes: 0,
        }
    }

    pub(crate) fn run(mut self) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            loop {
                match self.commands.try_recv() {
                    Ok(c) => self.command(c),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        for p in &mut self.parts {
                            p.rtc.disconnect();
                        }
                        return;
                    }
                }
            }
            self.reap();
            let mut wake = Instant::now() + IDLE_WAIT;
            for i in 0..self.parts.len() {
                wake = wake.min(self.poll(i));
            }
            if !self.queue.is_empty() {
                while let Some(p) = self.queue.pop_front() {
                    self.propagate(p);
                }
                continue;
            }
            let wait = wake
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1));
            if let Err(e) = self.socket.set_read_timeout(Some(wait)) {
                tracing::warn!(error = %e, "forwarding unit: socket timeout not set");
            }
            buf.resize(MAX_DATAGRAM, 0);
            match self.socket.recv_from(&mut buf) {
                Ok((n, source)) => {
                    if source != self.waker {
                        self.receive(&buf[..n], source);
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => tracing::debug!(error = %e, "forwarding unit: receive failed"),
            }
            let now = Instant::now();
            for p in &mut self.parts {
                if p.next_timeout <= now {
                    p.input(Input::Timeout(now));
                }
            }
        }
    }

    fn receive(&mut self, data: &[u8], source: SocketAddr) {
        let Ok(contents) = data.try_into() else {
            return;
        };
        let input = Input::Receive(
            Instant::now(),
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.announced,
                contents,
            },
        );
        let known = self
            .by_source
            .get(&source)
            .and_then(|id| self.parts.iter().position(|p| p.id == *id))
            .filter(|i| self.parts[*i].rtc.accepts(&input));
        let index = known.or_else(|| self.parts.iter().position(|p| p.rtc.accepts(&input)));
        if let Some(i) = index {
            self.by_source.insert(source, self.parts[i].id);
            self.parts[i].input(input);
        }
    }

    /// Drops the closed connections.
    fn reap(&mut self) {
        let before = self.parts.len();
        self.parts.retain(|p| p.rtc.is_alive());
        if self.parts.len() != before {
            self.forget_sources();
        }
    }

    fn forget_sources(&mut self) {
        let parts = &self.parts;
        self.by_source.retain(|_, id| parts.iter().any(|p| p.id == *id));
    }

    /// Polls one connection until only a timeout is left; answers it.
    fn poll(&mut self, i: usize) -> Instant {
        loop {
            let can_offer = self.out.capacity() > 0;
            let part = &mut self.parts[i];
            if !part.rtc.is_alive() {
                return Instant::now() + Duration::from_millis(1);
            }
            if can_offer {
                if let Some(offer) = part.negotiate() {
                    let _ = self.out.try_send(Outgoing {
                        call: part.call.to_string(),
                        participant: part.participant.clone(),
                        offer_sdp: offer.to_sdp_string(),
                    });
                    continue;
                }
            }
            let output = match part.rtc.poll_output() {
                Ok(o) => o,
                Err(e) => {
                    tracing::debug!(error = %e, "forwarding unit: connection failed");
                    part.rtc.disconnect();
                    continue;
                }
            };
            match output {
                Output::Timeout(t) => {
                    part.next_timeout = t;
                    return t;
                }
                Output::Transmit(t) => {
                    if let Err(e) = self.socket.send_to(&t.contents, t.destination) {
                        tracing::debug!(error = %e, "forwarding unit: send failed");
                    }
                }
                Output::Event(e) => self.event(i, e),
            }
        }
    }

    fn event(&mut self, i: usize, e: Event) {
        let part = &mut self.parts[i];
        match e {
            Event::Connected => part.connected = true,
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => part.rtc.disconnect(),
            Event::MediaAdded(m) if m.direction.is_receiving() => self.track_opened(i, m.mid, m.kind),
            // A track that stops coming (a screen no longer shared: the
            // browser makes its line inactive) stops being forwarded: the
            // receivers' lines for it are stopped at their next offer.
            Event::MediaChanged(m) => {
                if m.direction.is_receiving() {
                    if let Some(kind) = part.rtc.media(m.mid).map(|x| x.kind()) {
                        self.track_opened(i, m.mid, kind);
                    }
                } else {
                    part.tracks_in.retain(|t| t.id.mid != m.mid);
                }
            }
            Event::MediaData(data) => {
                if !data.contiguous {
                    part.request_keyframe_throttled(data.mid, data.rid);
                }
                self.queue.push_back(Propagated::Media(part.id, data));
            }
            Event::KeyframeRequest(mut req) => {
                let source = part
                    .tracks_out
                    .iter()
                    .find(|t| t.mid() == Some(req.mid))
                    .and_then(|t| t.track_in.upgrade());
                if let Some(track_in) = source {
                    req.rid = part.chosen_rid;
                    self.queue
                        .push_back(Propagated::Keyframe(req, track_in.origin, track_in.mid));
                }
            }
            _ => {}
        }
    }

    /// A participant's track to forward to the others of their call (at
    /// most [`MAX_TRACKS_IN`] at once; audio and video only).
    fn track_opened(&mut self, i: usize, mid: Mid, kind: MediaKind) {
        let part = &mut self.parts[i];
        let kind_ok = matches!(kind, MediaKind::Audio | MediaKind::Video);
        if !kind_ok || part.tracks_in.len() >= MAX_TRACKS_IN || part.tracks_in.iter().any(|t| t.id.mid == mid) {
            return;
        }
        let first_of_kind = !part.tracks_in.iter().any(|t| t.id.kind == kind);
        let origin_name = if first_of_kind {
            part.participant.clone()
        } else {
            format!("{}.{mid}", part.participant)
        };
        let id = Arc::new(TrackIn {
            origin: part.id,
            origin_name,
            mid,
            kind,
        });
        let weak = Arc::downgrade(&id);
        part.tracks_in.push(TrackInEntry {
            id,
            last_keyframe_request: None,
        });
        self.queue.push_back(Propagated::TrackOpen(part.id, weak));
    }

    fn call_of(&self, id: u64) -> Option<Arc<str>> {
        self.parts.iter().find(|p| p.id == id).map(|p| p.call.clone())
    }

    fn propagate(&mut self, p: Propagated) {
        let max_out = self.config.max_participants.saturating_sub(1) * MAX_TRACKS_IN;
        match p {
            Propagated::TrackOpen(origin, track_in) => {
                let Some(call) = self.call_of(origin) else { return };
                for q in self.parts.iter_mut().filter(|q| q.id != origin && q.call == call) {
                    if q.tracks_out.len() < max_out {
                        q.tracks_out.push(TrackOut {
                            track_in: track_in.clone(),
                            state: OutState::ToOpen,
                        });
                    }
                }
            }
            Propagated::Media(origin, data) => {
                let Some(call) = self.call_of(origin) else { return };
                for q in self.parts.iter_mut().filter(|q| q.id != origin && q.call == call) {
                    if let Some(n) = q.media_out(origin, &data) {
                        self.forwarded_frames += 1;
                        self.forwarded_bytes += n as u64;
                    }
                }
            }
            Propagated::Keyframe(req, origin, mid_in) => {
                if let Some(source) = self.parts.iter_mut().find(|q| q.id == origin) {
                    if let Some(mut writer) = source.rtc.writer(mid_in) {
                        let _ = writer.request_keyframe(req.rid, req.kind);
                    }
                }
            }
        }
    }

    fn position(&self, call: &str, participant: &str) -> Option<usize> {
        self.parts
            .iter()
            .position(|p| &*p.call == call && p.participant == participant)
    }

    fn remove(&mut self, i: usize) {
        let mut p = self.parts.remove(i);
        p.rtc.disconnect();
        self.forget_sources();
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::Join {
                call,
                participant,
                offer,
                reply,
            } => {
                let _ = reply.send(self.join(&call, participant, *offer));
            }
            Command::Answer {
                call,
                participant,
                answer,
                reply,
            } => {
                let r = match self.position(&call, &participant) {
                    None => Err(SfuError::NotInCall),
                    Some(i) => self.parts[i].accept_answer(*answer).map(|()| None),
                };
                let _ = reply.send(r);
            }
            Command::Offer {
                call,
                participant,
                offer,
                reply,
            } => {
                let r = match self.position(&call, &participant) {
                    None => Err(SfuError::NotInCall),
                    Some(i) => {
                        let part = &mut self.parts[i];
                        // Their offer wins over the unit's waiting one
                        // (str0m forgets it): it is made again after.
                        part.cancel_pending();
                        part.rtc
                            .sdp_api()
                            .accept_offer(*offer)
                            .map(|a| Some(a.to_sdp_string()))
                            .map_err(|e| SfuError::Refused(e.to_string()))
                    }
                };
                let _ = reply.send(r);
            }
            Command::Leave { call, participant } => {
                if let Some(i) = self.position(&call, &participant) {
                    self.remove(i);
                }
            }
            Command::End { call } => {
                while let Some(i) = self.parts.iter().position(|p| *p.call == *call) {
                    self.remove(i);
                }
            }
            Command::Stats { reply } => {
                let _ = reply.send(Ok(self.stats()));
            }
        }
    }

    fn join(&mut self, call: &str, participant: String, offer: SdpOffer) -> Result<String, SfuError> {
        // Joining again replaces the former connection (a page reloaded).
        if let Some(i) = self.position(call, &participant) {
            self.remove(i);
        }
        let in_call = self.parts.iter().filter(|p| &*p.call == call).count();
        if in_call == 0 && self.call_count() >= self.config.max_calls {
            return Err(SfuError::TooManyCalls);
        }
        if in_call >= self.config.max_participants {
            return Err(SfuError::CallFull);
        }
        let now = Instant::now();
        // The codecs browsers send (Opus; VP8, VP9, H.264): forwarded as
        // they are, never decoded. Fewer codecs keep each media line, so the
        // offers of a call of many, short.
        let mut rtc = Rtc::builder()
            .set_crypto_provider(self.crypto.clone())
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .enable_vp9(true)
            .enable_h264(true)
            .build(now);
        let candidate = Candidate::host(self.announced, "udp").map_err(|e| SfuError::Refused(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let answer = rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| SfuError::Refused(e.to_string()))?;
        let call: Arc<str> = self
            .parts
            .iter()
            .find(|p| &*p.call == call)
            .map(|p| p.call.clone())
            .unwrap_or_else(|| Arc::from(call));
        // The tracks of those already there, to offer once connected.
        let tracks_out = self
            .parts
            .iter()
            .filter(|p| p.call == call)
            .flat_map(|p| p.tracks_in.iter())
            .map(|t| TrackOut {
                track_in: Arc::downgrade(&t.id),
                state: OutState::ToOpen,
            })
            .collect();
        let id = self.next_id;
        self.next_id += 1;
        self.parts.push(Part {
            id,
            call,
            participant,
            rtc,
            pending: None,
            connected: false,
            tracks_in: Vec::new(),
            tracks_out,
            chosen_rid: None,
            next_timeout: now,
        });
        Ok(answer.to_sdp_string())
    }

    fn call_count(&self) -> usize {
        let mut calls: Vec<&str> = self.parts.iter().map(|p| &*p.call).collect();
        calls.sort_unstable();
        calls.dedup();
        calls.len()
    }

    fn stats(&self) -> Stats {
        Stats {
            calls: self.call_count(),
            participants: self.parts.len(),
            connected: self.parts.iter().filter(|p| p.connected).count(),
            tracks_in: self.parts.iter().map(|p| p.tracks_in.len()).sum(),
            tracks_out: self
                .parts
                .iter()
                .map(|p| {
                    p.tracks_out
                        .iter()
                        .filter(|t| matches!(t.state, OutState::Open(_)))
                        .count()
                })
                .sum(),
            forwarded_frames: self.forwarded_frames,
            forwarded_bytes: self.forwarded_bytes,
            cpu_ms: thread_cpu_ms(),
        }
    }
}

/// CPU time of the calling thread (user and system), from
/// `/proc/thread-self/stat` in clock ticks of 10 ms (the kernel's
/// `USER_HZ`, 100 on Linux); none elsewhere.
fn thread_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10)
}
