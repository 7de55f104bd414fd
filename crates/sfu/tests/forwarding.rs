//! The forwarding unit with synthetic str0m participants on loopback:
//! three join one call and each receives the others' audio and video; one
//! who leaves stops being forwarded (though their client keeps sending);
//! the bounds refuse past their caps. Every wait is bounded (30 s at most)
//! and waits for a count, never for a time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cercle_sfu::synthetic::{Client, Swarm};
use cercle_sfu::{Config, SfuError, Signal, Unit};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn swarm(config: Config) -> Swarm {
    let (handle, signals) = Unit::start(config).expect("unit starts");
    Swarm::new(handle, signals)
}

/// Whether `who` received at least `n` audio packets and `n` video frames
/// from each of `from`.
fn got_from(s: &Swarm, who: &str, from: &[u8], n: u64) -> bool {
    s.client(who)
        .is_some_and(|c| from.iter().all(|i| c.from(*i).audio >= n && c.from(*i).video >= n))
}

#[test]
fn three_participants_receive_each_other_and_a_leaver_stops_being_forwarded() {
    let mut s = swarm(Config::new(loopback()));
    s.join("call-1", "ana", 1).expect("ana joins");
    s.join("call-1", "bob", 2).expect("bob joins");
    s.join("call-1", "cleo", 3).expect("cleo joins");

    let all = s
        .run_until(WAIT, |s| {
            got_from(s, "ana", &[2, 3], 20) && got_from(s, "bob", &[1, 3], 20) && got_from(s, "cleo", &[1, 2], 20)
        })
        .expect("swarm runs");
    let seen: Vec<_> = s
        .clients
        .iter()
        .map(|(_, p, c)| (p.clone(), c.received().clone()))
        .collect();
    assert!(all, "each receives audio and video from both others: {seen:?}");
    // Nobody receives their own streams back.
    for (_, _, c) in &s.clients {
        assert_eq!(c.from(c.index), Default::default());
    }
    let stats = s.handle.stats().wait(WAIT).expect("stats");
    assert_eq!((stats.calls, stats.participants, stats.connected), (1, 3, 3));
    assert_eq!(stats.tracks_in, 6, "audio and video of each: {stats:?}");
    assert_eq!(stats.tracks_out, 12, "each track to the two others: {stats:?}");
    assert!(stats.forwarded_frames > 0 && stats.forwarded_bytes > 0);

    // Cleo leaves the unit; her client goes on sending.
    s.handle.leave("call-1", "cleo").expect("leave sent");
    let stats = s.handle.stats().wait(WAIT).expect("stats after leave");
    assert_eq!(stats.participants, 2);
    let cleo_at = |s: &Swarm, who: &str| s.client(who).map(|c| c.from(3)).unwrap_or_default();
    // What was on its way may still arrive: 100 rounds, and 200 ms, to
    // take it in (counted in rounds too, for a slow machine).
    let mut rounds = 0;
    s.run_until(WAIT, |_| {
        rounds += 1;
        rounds >= 100
    })
    .expect("swarm runs");
    s.run_for(Duration::from_millis(200)).expect("swarm runs");
    let (ana_before, bob_before) = (cleo_at(&s, "ana"), cleo_at(&s, "bob"));
    let mark = (
        s.client("ana").map(|c| c.from(2)).unwrap_or_default(),
        s.client("bob").map(|c| c.from(1)).unwrap_or_default(),
    );
    // Ana and Bob go on receiving each other (50 more frames each way)…
    let more = s
        .run_until(WAIT, |s| {
            s.client("ana").is_some_and(|c| c.from(2).video >= mark.0.video + 50)
                && s.client("bob").is_some_and(|c| c.from(1).video >= mark.1.video + 50)
        })
        .expect("swarm runs");
    assert!(more, "the two left still receive each other");
    assert!(s.client("cleo").is_some_and(|c| c.sending));
    // …and nothing more of Cleo's.
    assert_eq!(cleo_at(&s, "ana"), ana_before);
    assert_eq!(cleo_at(&s, "bob"), bob_before);
    // Her tracks were taken out of their connections (offers that stop them).
    let stopped = s
        .run_until(WAIT, |s| {
            // Ask again each time: the answers to those offers come in the steps.
            s.handle
                .stats()
                .wait(WAIT)
                .is_ok_and(|st| st.tracks_in == 4 && st.tracks_out == 4)
        })
        .expect("swarm runs");
    assert!(stopped, "the leaver's tracks are closed for the others");

    // The end closes every connection.
    s.handle.end("call-1").expect("end sent");
    let stats = s.handle.stats().wait(WAIT).expect("stats after end");
    assert_eq!((stats.calls, stats.participants), (0, 0));
}

#[test]
fn a_receivers_keyframe_request_reaches_the_source() {
    let mut s = swarm(Config::new(loopback()));
    s.join("call-k", "ana", 1).expect("ana joins");
    s.join("call-k", "bob", 2).expect("bob joins");
    s.join("call-k", "cleo", 3).expect("cleo joins");
    let flowing = s
        .run_until(WAIT, |s| got_from(s, "ana", &[2, 3], 5))
        .expect("swarm runs");
    assert!(flowing);
    let (bob_before, cleo_before) = (
        s.client("bob").map(|c| c.firs).unwrap_or_default(),
        s.client("cleo").map(|c| c.firs).unwrap_or_default(),
    );
    assert!(s.client_mut("ana").is_some_and(|c| c.request_keyframe(2)));
    let reached = s
        .run_until(WAIT, |s| s.client("bob").is_some_and(|c| c.firs > bob_before))
        .expect("swarm runs");
    assert!(reached, "Ana's request for Bob's video reaches Bob");
    // Only the source is asked (the unit's own requests are PLIs).
    assert_eq!(s.client("cleo").map(|c| c.firs), Some(cleo_before));
}

#[test]
fn a_late_joiner_receives_those_already_there() {
    let mut s = swarm(Config::new(loopback()));
    s.join("call-2", "ana", 1).expect("ana joins");
    s.join("call-2", "bob", 2).expect("bob joins");
    let two = s
        .run_until(WAIT, |s| got_from(s, "ana", &[2], 10) && got_from(s, "bob", &[1], 10))
        .expect("swarm runs");
    assert!(two, "two receive each other");
    s.join("call-2", "cleo", 3).expect("cleo joins");
    let three = s
        .run_until(WAIT, |s| {
            got_from(s, "cleo", &[1, 2], 10) && got_from(s, "ana", &[3], 10) && got_from(s, "bob", &[3], 10)
        })
        .expect("swarm runs");
    assert!(three, "the late joiner receives and is received");
}

#[test]
fn calls_are_kept_apart() {
    let mut s = swarm(Config::new(loopback()));
    s.join("call-a", "ana", 1).expect("ana joins a");
    s.join("call-a", "bob", 2).expect("bob joins a");
    s.join("call-b", "cleo", 3).expect("cleo joins b");
    s.join("call-b", "dan", 4).expect("dan joins b");
    let both = s
        .run_until(WAIT, |s| got_from(s, "ana", &[2], 20) && got_from(s, "dan", &[3], 20))
        .expect("swarm runs");
    assert!(both);
    for (who, others) in [("ana", [3, 4]), ("bob", [3, 4]), ("cleo", [1, 2]), ("dan", [1, 2])] {
        let c = s.client(who).expect("client");
        for o in others {
            assert_eq!(c.from(o), Default::default(), "{who} receives nothing of call {o}'s");
        }
    }
}

fn offer() -> String {
    Client::new(9, Instant::now()).expect("client").1
}

#[test]
fn bounds_refuse_past_their_caps() {
    let mut config = Config::new(loopback());
    config.max_calls = 1;
    config.max_participants = 2;
    config.max_sdp_bytes = 8 * 1024;
    let (h, _signals) = Unit::start(config).expect("unit starts");
    let join = |call: &str, who: &str, sdp: &str| h.join(call, who, sdp).wait(WAIT);

    assert!(join("c1", "p1", &offer()).is_ok());
    assert!(join("c1", "p2", &offer()).is_ok());
    assert_eq!(join("c1", "p3", &offer()), Err(SfuError::CallFull));
    assert_eq!(join("c2", "p1", &offer()), Err(SfuError::TooManyCalls));
    // Joining again replaces one's connection: not one more.
    assert!(join("c1", "p2", &offer()).is_ok());

    let big = format!("{}{}", offer(), "a=x-padding:0\r\n".repeat(1000));
    assert_eq!(join("c1", "p1", &big), Err(SfuError::SdpTooLarge(8 * 1024)));
    assert_eq!(join("c1", "p1", "v=0\r\nthis is not sdp"), Err(SfuError::BadSdp));
    assert_eq!(join("", "p1", &offer()), Err(SfuError::BadId));
    assert_eq!(join("c1", &"x".repeat(65), &offer()), Err(SfuError::BadId));

    // Signals only for those in the call; an answer with no offer waiting.
    let answer = Signal::Answer(offer().replace("a=setup:actpass", "a=setup:active"));
    assert_eq!(h.signal("c1", "p9", &answer).wait(WAIT), Err(SfuError::NotInCall));
    assert!(matches!(
        h.signal("c1", "p1", &answer).wait(WAIT),
        Err(SfuError::NoPendingOffer) | Err(SfuError::BadSdp)
    ));

    // The end frees the call's place.
    h.end("c1").expect("end sent");
    assert!(join("c2", "p1", &offer()).is_ok());
    let stats = h.stats().wait(WAIT).expect("stats");
    assert_eq!((stats.calls, stats.participants), (1, 1));
    h.leave("c2", "p1").expect("leave sent");
    let stats = h.stats().wait(WAIT).expect("stats");
    assert_eq!((stats.calls, stats.participants), (0, 0));
}
