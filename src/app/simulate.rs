//! `traffic_grapher simulate`: a simulated ATS 10.2 on a Unix socket, answering as the
//! real server does, until the process is stopped.

use super::AppError;
use crate::cli::SimulateArgs;
use crate::source::sim::{ats_answer, now_secs, serve, Reply, TrafficModel};
use std::io::Write;

pub fn simulate(args: SimulateArgs) -> Result<(), AppError> {
    if !(args.scale.is_finite() && args.scale >= 0.0) {
        return Err(AppError::Usage(format!(
            "--scale must be a number >= 0, got {}",
            args.scale
        )));
    }
    let mut log = match &args.served_log {
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| {
                    AppError::Usage(format!("cannot open --served-log {}: {e}", p.display()))
                })?,
        ),
        None => None,
    };
    let mut model = TrafficModel::new(args.seed, args.scale);
    let names: Vec<String> = model.names().map(str::to_string).collect();
    let handler = Box::new(move |req: &[u8]| {
        let t = now_secs();
        model.advance_to(t);
        let mut served = serde_json::Map::new();
        let answer = ats_answer(
            req,
            &mut |name| {
                let r = model.get(name);
                if let Some(r) = &r {
                    served.insert(name.to_string(), serde_json::Value::String(r.value.clone()));
                }
                r
            },
            &names,
        );
        if let Some(f) = &mut log {
            let _ = writeln!(f, "{}", serde_json::json!({"t": t, "records": served}));
        }
        Reply::Send(answer)
    });
    // Serve until SIGTERM, SIGINT or SIGHUP, then remove the socket file (no leftovers).
    // Watched before the socket exists, so a signal right after start is caught too.
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])
        .map_err(|e| AppError::Failed(format!("cannot watch signals: {e}")))?;
    let server = serve(&args.socket, handler)
        .map_err(|e| AppError::Failed(format!("cannot serve on {}: {e}", args.socket.display())))?;
    eprintln!(
        "simulated ATS 10.2 (seed {}, scale {}) on {}",
        args.seed,
        args.scale,
        server.path().display()
    );
    let _ = signals.forever().next();
    server.stop();
    Ok(())
}
