//! The selective forwarding unit (`cercle-sfu`) behind the calls'
//! [`Forwarding`] port: started with the node when `sfu_enabled`, bound to
//! `sfu_bind`, capped by `sfu_max_calls` and `call_max_participants`.

use crate::Config;
use cercle_app::calls::forwarding::{Forwarding, ForwardingError, ForwardingLoad, UnitOffer, UnitSignal};
use cercle_domain::{CallId, UserId};
use cercle_sfu::{Handle, SfuError, Signal, Signals, Unit};

/// A node's unit, as the calls use it.
pub struct UnitForwarding {
    handle: Handle,
    signals: tokio::sync::Mutex<Signals>,
}

impl UnitForwarding {
    /// Starts the unit of `config` (its UDP socket and its thread).
    pub fn start(config: &Config) -> anyhow::Result<UnitForwarding> {
        let mut c = cercle_sfu::Config::with_participants(config.sfu_bind, config.call_max_participants);
        c.public_ip = config.sfu_public_ip;
        c.max_calls = config.sfu_max_calls;
        // The relay's bound for signals to and from the unit, the same.
        c.max_sdp_bytes = cercle_app::calls::signal::max_unit_sdp(config.call_max_participants);
        let (handle, signals) =
            Unit::start(c).map_err(|e| anyhow::anyhow!("forwarding unit on {} (sfu_bind): {e}", config.sfu_bind))?;
        tracing::info!(
            bind = %handle.local_addr(),
            announced = %handle.announced_addr(),
            "forwarding unit started"
        );
        Ok(UnitForwarding {
            handle,
            signals: tokio::sync::Mutex::new(signals),
        })
    }

    /// The unit's own handle (its statistics, for tests and benchmarks).
    pub fn handle(&self) -> &Handle {
        &self.handle
    }
}

fn refused(e: SfuError) -> ForwardingError {
    match e {
        SfuError::SdpTooLarge(_) => ForwardingError::TooLarge,
        SfuError::BadSdp | SfuError::Refused(_) | SfuError::BadId => ForwardingError::Malformed,
        SfuError::TooManyCalls | SfuError::CallFull => ForwardingError::Full,
        SfuError::NotInCall | SfuError::NoPendingOffer => ForwardingError::NotConnected,
        SfuError::Busy | SfuError::Stopped => ForwardingError::Unavailable,
    }
}

#[async_trait::async_trait]
impl Forwarding for UnitForwarding {
    fn enabled(&self) -> bool {
        true
    }

    async fn join(&self, call_id: CallId, user_id: UserId, offer_sdp: &str) -> Result<String, ForwardingError> {
        self.handle
            .join(&call_id.to_string(), &user_id.to_string(), offer_sdp)
            .recv()
            .await
            .map_err(refused)
    }

    async fn signal(
        &self,
        call_id: CallId,
        user_id: UserId,
        signal: UnitSignal,
    ) -> Result<Option<String>, ForwardingError> {
        let signal = match signal {
            UnitSignal::Answer(sdp) => Signal::Answer(sdp),
            UnitSignal::Offer(sdp) => Signal::Offer(sdp),
        };
        self.handle
            .signal(&call_id.to_string(), &user_id.to_string(), &signal)
            .recv()
            .await
            .map_err(refused)
    }

    async fn next_offer(&self) -> Option<UnitOffer> {
        let mut signals = self.signals.lock().await;
        loop {
            let o = signals.recv().await?;
            // The unit only knows the identifiers it was given: these.
            if let (Ok(call_id), Ok(user_id)) = (o.call.parse(), o.participant.parse()) {
                return Some(UnitOffer {
                    call_id,
                    user_id,
                    sdp: o.offer_sdp,
                });
            }
        }
    }

    fn close_participant(&self, call_id: CallId, user_id: UserId) {
        if let Err(e) = self.handle.leave(&call_id.to_string(), &user_id.to_string()) {
            tracing::warn!(error = %e, "forwarding unit: a participant's connection not closed");
        }
    }

    fn close_call(&self, call_id: CallId) {
        if let Err(e) = self.handle.end(&call_id.to_string()) {
            tracing::warn!(error = %e, "forwarding unit: a call's connections not closed");
        }
    }

    async fn load(&self) -> ForwardingLoad {
        match self.handle.stats().recv().await {
            Ok(s) => ForwardingLoad {
                calls: s.calls,
                participants: s.participants,
            },
            Err(_) => ForwardingLoad::default(),
        }
    }
}
