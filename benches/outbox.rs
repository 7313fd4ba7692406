//! Messages per second through the outbox, per channel, against the tests' stand-ins: the SMTP
//! sink (a real SMTP conversation per message), the SMS gateway speaking ANTS's HTTP API and
//! the LINE Messaging API stand-in.
//! Each run queues N messages for one channel and times the worker until all are sent.
//!
//!   cargo bench --bench outbox -- [messages]
//!
//! Default 2,000 per channel. SQLite in a temporary directory, or the database in
//! BENCH_DATABASE_URL (an empty PostgreSQL database).

#[allow(dead_code)]
#[path = "../tests/support/line.rs"]
mod line;
#[allow(dead_code)]
#[path = "../tests/support/sms.rs"]
mod sms;
#[allow(dead_code)]
#[path = "../tests/support/smtp.rs"]
mod smtp;

use diesel::prelude::*;
use kaset::config::{SmsSettings, SmtpSecurity, SmtpSettings};
use kaset::db::outbox::{self, NewMessage};
use kaset::db::schema::outbox as table;
use kaset::jobs::outbox::{run_outbox_worker, Channels};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> anyhow::Result<()> {
    let messages: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let work = tempfile::tempdir()?;
    let database_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", work.path().display()));
    let pool = kaset::db::connect(&database_url, 4)?;
    actix_web::rt::System::new().block_on(async move {
        let sink = smtp::SmtpSink::start().await;
        let gateway = sms::SmsGateway::start().await;
        let line_stand_in = line::LineStandIn::start().await;
        let line_settings = kaset::config::LineSettings {
            login_channel_id: Some(line::LOGIN_CHANNEL_ID.to_owned()),
            login_channel_secret: Some(line::LOGIN_CHANNEL_SECRET.to_owned()),
            messaging_token: Some(line::MESSAGING_TOKEN.to_owned()),
            messaging_secret: Some(line::MESSAGING_SECRET.to_owned()),
            access_url: line_stand_in.url.clone(),
            api_url: line_stand_in.url.clone(),
        };
        let smtp_settings = SmtpSettings {
            host: Some("127.0.0.1".to_owned()),
            port: sink.port,
            username: None,
            password: None,
            security: SmtpSecurity::None,
            from: "Kaset <no-reply@kaset.test>".to_owned(),
            outbox_poll_ms: 50,
            outbox_retry_secs: 1,
        };
        let sms_settings = SmsSettings {
            url: Some(gateway.url.clone()),
            username: sms::USERNAME.to_owned(),
            password: sms::PASSWORD.to_owned(),
            sender: sms::SENDER.to_owned(),
            callback_token: sms::CALLBACK_TOKEN.to_owned(),
        };
        for channel in ["sms", "line", "email"] {
            {
                let mut conn = pool.get()?;
                let now = kaset::domain::Clock::system().now();
                for n in 0..messages {
                    outbox::enqueue(
                        &mut conn,
                        &NewMessage {
                            recipient: "farmer@example.com",
                            subject: "คำขอ KS-2569-000123 อนุมัติแล้ว",
                            body_text: "เรียน คุณสมชาย\n\nคำขอของท่านอนุมัติแล้ว",
                            body_html: "<p>เรียน คุณสมชาย</p><p>คำขอของท่านอนุมัติแล้ว</p>",
                            user_id: None,
                            channels: channel,
                            phone: Some("0812345678"),
                            line_user_id: Some(line::LINE_USER_ID),
                            sms_text: &format!(
                                "Kaset: คำขอ KS-2569-{n:06} อนุมัติแล้ว ดูที่ kaset.moac.go.th/applications"
                            ),
                        },
                        now,
                    )?;
                }
            }
            let channels = Channels {
                email: (channel == "email")
                    .then(|| kaset::jobs::mailer::Sender::from_settings(&smtp_settings))
                    .flatten()
                    .map(Arc::new),
                sms: (channel == "sms")
                    .then(|| kaset::jobs::sms::Gateway::from_settings(&sms_settings, "http://127.0.0.1"))
                    .flatten()
                    .map(kaset::jobs::outbox::SmsChannel::Gateway),
                line: (channel == "line")
                    .then(|| kaset::jobs::line::Pusher::from_settings(&line_settings))
                    .flatten(),
            };
            let wake = Arc::new(tokio::sync::Notify::new());
            let started = Instant::now();
            let worker = actix_web::rt::spawn(run_outbox_worker(
                pool.clone(),
                channels,
                smtp_settings.clone(),
                wake.clone(),
                kaset::domain::Clock::system(),
            ));
            wake.notify_one();
            loop {
                let sent: i64 = {
                    let mut conn = pool.get()?;
                    table::table
                        .filter(table::sent_at.is_not_null())
                        .filter(table::channels.eq(channel))
                        .count()
                        .get_result(&mut *conn)?
                };
                if sent as usize >= messages {
                    break;
                }
                if started.elapsed() > Duration::from_secs(600) {
                    anyhow::bail!("{channel}: only {sent} of {messages} sent in 10 minutes");
                }
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            }
            let elapsed = started.elapsed();
            worker.abort();
            println!(
                "{channel}: {messages} messages in {:.2} s = {:.0} messages/s",
                elapsed.as_secs_f64(),
                messages as f64 / elapsed.as_secs_f64()
            );
        }
        println!(
            "stand-ins received {} SMS, {} LINE pushes and {} e-mails",
            gateway.received().len(),
            line_stand_in.pushed().len(),
            sink.messages().len()
        );
        Ok(())
    })
}
