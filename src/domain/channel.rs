use super::Invalid;

/// A way a message reaches a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Line,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Line, Channel::Email];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Line => "line",
            Channel::Email => "email",
        }
    }

    pub fn parse(code: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or(Invalid::new("error.choice"))
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Channel::Sms => "channel.sms",
            Channel::Line => "channel.line",
            Channel::Email => "channel.email",
        }
    }
}

/// Where a message stands on one channel, as Kaset and the provider's reports know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its turn or for a retry.
    Queued,
    /// Handed to the provider (for e-mail, to the SMTP server: the last Kaset can know).
    Sent,
    /// The provider reported it reached the phone or the app.
    Delivered,
    /// Refused or undeliverable; the next channel is tried.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sent,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or(Invalid::new("error.choice"))
    }
}

/// The channels a person wants messages by, first choice first: each is tried in turn when
/// the one before it fails. Never empty, never the same channel twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelOrder(Vec<Channel>);

/// E-mail first for whoever gave an address at sign-up, then SMS.
impl Default for ChannelOrder {
    fn default() -> Self {
        Self(vec![Channel::Email, Channel::Sms])
    }
}

impl ChannelOrder {
    /// From the stored or chosen codes, in order (`sms,email`); blanks are skipped.
    pub fn parse<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Self, Invalid> {
        let mut order = Vec::new();
        for code in codes.into_iter().map(str::trim).filter(|c| !c.is_empty()) {
            let channel = Channel::parse(code)?;
            if order.contains(&channel) {
                return Err(Invalid::new("channel.error.twice"));
            }
            order.push(channel);
        }
        if order.is_empty() {
            return Err(Invalid::new("channel.error.none"));
        }
        Ok(Self(order))
    }

    /// The stored form, `sms,email`.
    pub fn to_codes(&self) -> String {
        self.0
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn channels(&self) -> &[Channel] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_orders_the_channels_once_each() {
        let order = ChannelOrder::parse("sms, ,email".split(',')).unwrap();
        assert_eq!(order.channels(), [Channel::Sms, Channel::Email]);
        assert_eq!(order.to_codes(), "sms,email");
        assert_eq!(
            ChannelOrder::parse(["sms", "sms"]).unwrap_err().key,
            "channel.error.twice"
        );
        assert_eq!(
            ChannelOrder::parse([""]).unwrap_err().key,
            "channel.error.none"
        );
        assert!(ChannelOrder::parse(["fax"]).is_err());
    }
}
