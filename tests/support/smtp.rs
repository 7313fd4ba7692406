//! A real SMTP server for the tests: speaks enough of RFC 5321 for lettre, keeps every message
//! it receives, and lets the test read them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub recipients: Vec<String>,
    pub raw: String,
}

impl ReceivedMail {
    pub fn subject(&self) -> String {
        self.parsed()
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
            .map(|h| h.get_value())
            .unwrap_or_default()
    }

    /// Every text part, decoded (lettre uses base64 or quoted-printable for Thai text).
    pub fn text(&self) -> String {
        fn collect(part: &mailparse::ParsedMail, out: &mut String) {
            if part.subparts.is_empty() {
                out.push_str(&part.get_body().unwrap_or_default());
                out.push('\n');
            }
            for sub in &part.subparts {
                collect(sub, out);
            }
        }
        let mut out = String::new();
        collect(&self.parsed(), &mut out);
        out
    }

    fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(self.raw.as_bytes())
            .expect("the SMTP sink received a parsable message")
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    /// While set, the server answers every connection "421 unavailable", as a mail server
    /// that is down for maintenance does.
    down: Arc<AtomicBool>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP sink");
        let port = listener.local_addr().expect("SMTP sink address").port();
        let sink = SmtpSink {
            port,
            received: Arc::default(),
            down: Arc::default(),
        };
        let accepting = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = accepting.clone();
                tokio::spawn(async move {
                    let _ = session.serve(stream).await;
                });
            }
        });
        sink
    }

    /// Takes the server down (`true`) or brings it back.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("sink lock").clone()
    }

    /// Waits (up to 20 s) for a message to `recipient`.
    pub async fn wait_for(&self, recipient: &str) -> ReceivedMail {
        for _ in 0..200 {
            if let Some(mail) = self
                .messages()
                .into_iter()
                .find(|m| m.recipients.iter().any(|r| r == recipient))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no e-mail to {recipient} arrived at the SMTP server within 20 s");
    }

    async fn serve(self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        if self.down.load(Ordering::SeqCst) {
            write
                .write_all(b"421 kaset-test-smtp service not available\r\n")
                .await?;
            return Ok(());
        }
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 kaset-test-smtp ESMTP\r\n").await?;
        let mut recipients = Vec::new();
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                write
                    .write_all(b"250-kaset-test-smtp\r\n250 8BITMIME\r\n")
                    .await?;
            } else if upper.starts_with("MAIL FROM") {
                recipients.clear();
                write.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RCPT TO") {
                let address = line[8..].trim().trim_start_matches(':').trim();
                recipients.push(address.trim_matches(|c| c == '<' || c == '>').to_owned());
                write.write_all(b"250 OK\r\n").await?;
            } else if upper == "DATA" {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut raw = String::new();
                while let Some(data) = lines.next_line().await? {
                    if data == "." {
                        break;
                    }
                    let data = data.strip_prefix('.').map_or(data.as_str(), |d| d);
                    raw.push_str(data);
                    raw.push_str("\r\n");
                }
                self.received.lock().expect("sink lock").push(ReceivedMail {
                    recipients: std::mem::take(&mut recipients),
                    raw,
                });
                write.write_all(b"250 OK queued\r\n").await?;
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                write.write_all(b"250 OK\r\n").await?;
            }
        }
        Ok(())
    }
}
