//! What went wrong with ssh, read from its own stderr lines: each failure an operator
//! can meet gets a name, and ssh's line is kept beside it.

/// ssh's stderr lines that say nothing about a failure.
fn is_noise(line: &str) -> bool {
    let l = line.trim();
    l.is_empty()
        || l.starts_with("Warning: Permanently added")
        || l.starts_with("** ")
        || l.starts_with("Pseudo-terminal")
}

/// The most telling line: the first that names a known failure, else the last one.
pub fn key_line(lines: &[String]) -> Option<&str> {
    let useful: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !is_noise(l))
        .collect();
    useful
        .iter()
        .find(|l| classify(l).is_some())
        .or(useful.last())
        .map(|l| l.trim())
}

/// A short name for the failure a line of ssh's stderr reports.
pub fn classify(line: &str) -> Option<&'static str> {
    let l = line.to_ascii_lowercase();
    let rules: [(&[&str], &str); 10] = [
        (
            &["could not resolve hostname", "name or service not known"],
            "unknown host",
        ),
        (&["connection refused"], "connection refused"),
        (
            &["permission denied (", "too many authentication failures"],
            "authentication failed (no key was accepted; BatchMode allows no prompt)",
        ),
        (
            &[
                "host key verification failed",
                "remote host identification has changed",
                "no ed25519 host key is known",
                "host key is known",
            ],
            "host key problem (check known_hosts)",
        ),
        (
            &["connection timed out", "operation timed out"],
            "connection timed out",
        ),
        (
            &["no route to host", "network is unreachable"],
            "host unreachable",
        ),
        (
            &[
                "administratively prohibited",
                "forwarding disabled",
                "could not request local forwarding",
            ],
            "forwarding refused by the server",
        ),
        (
            &["open failed"],
            "the server could not open the remote socket",
        ),
        (
            &[
                "not responding",
                "closed by remote host",
                "broken pipe",
                "connection reset",
            ],
            "connection lost",
        ),
        (
            &[
                "bad configuration option",
                "can't open user config",
                "no such file or directory",
            ],
            "ssh configuration error",
        ),
    ];
    rules
        .iter()
        .find(|(pats, _)| pats.iter().any(|p| l.contains(p)))
        .map(|(_, name)| *name)
}

/// One line for an ssh that exited: what happened and ssh's own words.
pub fn describe_exit(lines: &[String], status: Option<i32>) -> String {
    match key_line(lines) {
        Some(l) => match classify(l) {
            Some(what) => format!("{what}: ssh said {l:?}"),
            None => format!("ssh failed: {l:?}"),
        },
        None => match status {
            Some(c) => format!("ssh exited with status {c} and said nothing"),
            None => "ssh was killed by a signal".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn real_openssh_messages_get_their_names() {
        // Lines as OpenSSH 9.2 printed them against the test sshd.
        let cases = [
            (
                "root@127.0.0.1: Permission denied (publickey).",
                "authentication failed",
            ),
            (
                "ssh: connect to host 127.0.0.1 port 2223: Connection refused",
                "connection refused",
            ),
            (
                "ssh: Could not resolve hostname nosuchhost.invalid: Name or service not known",
                "unknown host",
            ),
            ("Host key verification failed.", "host key problem"),
            (
                "channel 1: open failed: connect failed: open failed",
                "could not open the remote socket",
            ),
            (
                "channel 2: open failed: administratively prohibited: open failed",
                "forwarding refused",
            ),
            (
                "Timeout, server 127.0.0.1 not responding.",
                "connection lost",
            ),
            (
                "Connection to 127.0.0.1 closed by remote host.",
                "connection lost",
            ),
        ];
        for (line, want) in cases {
            let got = classify(line).unwrap_or("none");
            assert!(got.contains(want), "{line}: {got}");
        }
        assert_eq!(classify("all is well"), None);
    }

    #[test]
    fn the_known_failure_wins_over_warnings_and_later_lines() {
        let l = lines(&[
            "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.",
            "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.",
            "Host key verification failed.",
        ]);
        let msg = describe_exit(&l, Some(255));
        assert!(msg.starts_with("host key problem"), "{msg}");
        assert!(describe_exit(&[], Some(255)).contains("status 255"));
        assert!(describe_exit(&lines(&["odd thing"]), Some(1)).contains("odd thing"));
    }
}
