//! `uniffi-bindgen generate target/debug/libappwacht.so --language kotlin --out-dir DIR --no-format`
fn main() {
    uniffi::uniffi_bindgen_main()
}
