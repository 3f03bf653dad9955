//! The `appwacht` binary: see the library for what it does.

fn main() {
    let code = appwacht_cli::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code);
}
