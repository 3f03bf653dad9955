//! The core's `log` output: to logcat on Android, to standard error on the host.

use std::sync::Once;

static INIT: Once = Once::new();

/// Sets the logger up once per process.
pub fn init() {
    INIT.call_once(|| {
        // A panic is caught at the JNI boundary and becomes an exception; its message and place
        // go to the log (logcat on a phone, where standard error goes nowhere).
        std::panic::set_hook(Box::new(|info| {
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            log::error!("panic{place}: {info}");
        }));
        #[cfg(target_os = "android")]
        android_logger::init_once(
            android_logger::Config::default()
                .with_tag("appwacht")
                .with_max_level(log::LevelFilter::Info),
        );
        #[cfg(not(target_os = "android"))]
        {
            if log::set_logger(&HOST).is_ok() {
                log::set_max_level(log::LevelFilter::Warn);
            }
        }
    });
}

#[cfg(not(target_os = "android"))]
static HOST: HostLogger = HostLogger;

/// A plain standard-error logger for the host JVM tests.
#[cfg(not(target_os = "android"))]
struct HostLogger;

#[cfg(not(target_os = "android"))]
impl log::Log for HostLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("appwacht {}: {}", record.level(), record.args());
        }
    }

    fn flush(&self) {}
}
